using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Responses;

/// <summary>
/// What the patcher's one pass over a Responses <c>input</c> list learns: where a <c>system</c> role sits (the
/// upstream refuses it, so it is rewritten as <c>developer</c>) and where compaction triggers are. Compaction V2 is a
/// normal request whose <b>last</b> item is <c>{"type":"compaction_trigger"}</c>; the upstream answers exactly one
/// compaction item, and refuses a trigger elsewhere or a second one (docs/upstream-protocol.md §6), so the Edge says
/// why before any account is spent on it.
/// </summary>
internal sealed class InputItemScan
{
    private const string TriggerType = "compaction_trigger";

    private List<(int Start, int End)>? _systemRoles;

    /// <summary>Where each item's <c>"role":"system"</c> value is, in the body (usually nowhere).</summary>
    public IReadOnlyList<(int Start, int End)> SystemRoles => _systemRoles ?? [];

    /// <summary>How many items the list has.</summary>
    public int Items { get; private set; }

    /// <summary>The index of the first <c>compaction_trigger</c> item; -1 when there is none.</summary>
    public int FirstTrigger { get; private set; } = -1;

    /// <summary>The index of a second <c>compaction_trigger</c> item; -1 when there is none.</summary>
    public int SecondTrigger { get; private set; } = -1;

    /// <summary>Reads the list to its end (the reader is on its <c>[</c>).</summary>
    public static InputItemScan Read(ref Utf8JsonReader reader, JsonKeyGuard keys)
    {
        var scan = new InputItemScan();
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            var index = scan.Items++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                StrictJson.SkipValue(ref reader, keys);
                continue;
            }
            keys.EnterObject();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                keys.Add(ref reader);
                var member = reader.ValueTextEquals("role"u8) ? 1 : reader.ValueTextEquals("type"u8) ? 2 : 0;
                reader.Read();
                if (member == 1 && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("system"u8))
                {
                    (scan._systemRoles ??= []).Add(((int)reader.TokenStartIndex, (int)reader.BytesConsumed));
                }
                else if (member == 2 && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(TriggerType))
                {
                    scan.Trigger(index);
                }
                StrictJson.SkipValue(ref reader, keys);
            }
            keys.ExitObject();
        }
        return scan;
    }

    /// <summary>The 400 for a trigger the upstream would refuse (a second one, or one that is not last); null when none.</summary>
    public ClientError? CompactionError()
    {
        if (SecondTrigger >= 0)
        {
            return ClientError.InvalidRequest(
                $"Invalid 'input[{SecondTrigger}]': a request may carry only one compaction_trigger item, and input[{FirstTrigger}] is one already. "
                + "Compaction V2 sends one {\"type\":\"compaction_trigger\"} as the last input item.", "input", "invalid_value");
        }
        if (FirstTrigger >= 0 && FirstTrigger != Items - 1)
        {
            return ClientError.InvalidRequest(
                $"Invalid 'input[{FirstTrigger}]': the compaction_trigger item must be the last input item, but {Items - 1 - FirstTrigger} item(s) follow it. "
                + "Compaction V2 sends one {\"type\":\"compaction_trigger\"} as the last input item.", "input", "invalid_value");
        }
        return null;
    }

    private void Trigger(int index)
    {
        if (FirstTrigger < 0)
        {
            FirstTrigger = index;
        }
        else if (SecondTrigger < 0)
        {
            SecondTrigger = index;
        }
    }
}
