// Drives the official `openai` npm SDK against a MultiCodex Edge and prints one JSON line of what it saw.
// Usage: OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OPENAI_API_KEY=... node openai-sdk-check.mjs
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0, timeout: 30_000 });
const model = "gpt-5.5";
const result = {};

const chat = await client.chat.completions.create({ model, messages: [{ role: "user", content: "chat from node" }] });
result.chat = chat.choices[0].message.content;
result.chatFinish = chat.choices[0].finish_reason;

let streamed = "";
let usage = null;
const chatStream = await client.chat.completions.create({
  model, messages: [{ role: "user", content: "stream from node" }], stream: true, stream_options: { include_usage: true },
});
for await (const chunk of chatStream) {
  streamed += chunk.choices[0]?.delta?.content ?? "";
  usage = chunk.usage ?? usage;
}
result.chatStream = streamed;
result.chatStreamUsage = usage?.total_tokens ?? 0;

const response = await client.responses.create({ model, input: "responses from node" });
result.responses = response.output_text;

let responseText = "";
const responseStream = await client.responses.create({ model, input: "responses stream from node", stream: true });
for await (const event of responseStream) {
  if (event.type === "response.output_text.delta") responseText += event.delta;
  if (event.type === "response.completed") result.responsesStreamCompleted = true;
}
result.responsesStream = responseText;

const models = await client.models.list();
result.models = models.data.map((m) => m.id);

console.log(JSON.stringify(result));
