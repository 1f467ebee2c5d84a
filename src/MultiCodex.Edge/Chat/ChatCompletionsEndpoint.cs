namespace MultiCodex.Edge.Chat;

public static class ChatCompletionsEndpoint
{
    public static Task HandleAsync(HttpContext http) => Task.CompletedTask;
}
