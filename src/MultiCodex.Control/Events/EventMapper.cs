using Google.Protobuf.WellKnownTypes;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Events;

/// <summary>Maps events to their API shape (gRPC, REST and webhook bodies all use it).</summary>
internal static class EventMapper
{
    public static V1.Event ToProto(ControlEvent source)
    {
        var proto = new V1.Event
        {
            Id = source.Id,
            Type = ToProto(source.Type),
            Time = Timestamp.FromDateTimeOffset(source.Time),
            Summary = source.Summary,
        };
        if (source.Account is { } account)
        {
            proto.Account = new V1.EventAccount { Id = account.Id, Email = account.Email, Label = account.Label };
        }
        foreach (var (name, value) in source.Data)
        {
            proto.Data[name] = value;
        }
        return proto;
    }

    // The domain enum mirrors the proto's values one to one.
    public static V1.Event.Types.Type ToProto(ControlEventType type) => (V1.Event.Types.Type)(int)type;

    /// <summary>The type's name in the proto and in JSON, for example <c>TYPE_ACCOUNT_BLOCKED</c>.</summary>
    public static string WireName(ControlEventType type) =>
        V1.Event.Descriptor.EnumTypes[0].FindValueByNumber((int)type)?.Name ?? ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ControlEventType? FromProto(V1.Event.Types.Type type) =>
        System.Enum.IsDefined((ControlEventType)(int)type) ? (ControlEventType)(int)type : null;
}
