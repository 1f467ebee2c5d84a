using System.Globalization;
using Google.Protobuf;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>A span as an OTLP receiver got it: ids in lower-case hex, the exporting service, every attribute as text.</summary>
public sealed record OtlpSpan(
    string Service,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> Events,
    IReadOnlyList<string> LinkedSpanIds,
    int StatusCode,
    string StatusMessage)
{
    /// <summary>Every text the span carries (names, attribute values, events, status), for a secret scan.</summary>
    public string AllText => string.Join('\n', [Service, Scope, Name, StatusMessage, .. Events, .. Attributes.Select(a => a.Key + "=" + a.Value)]);

    public override string ToString() => $"{Service} {Name} {SpanId} ← {(ParentSpanId.Length == 0 ? "-" : ParentSpanId)}";
}

/// <summary>A metric as an OTLP receiver got it: its kind (gauge, sum, histogram, …) and, for a histogram, its data points' count.</summary>
public sealed record OtlpMetric(string Service, string Name, string Unit, string Kind, long HistogramCount, IReadOnlyList<IReadOnlyDictionary<string, string>> PointAttributes);

/// <summary>
/// Decodes the OTLP/HTTP protobuf bodies of <c>ExportTraceServiceRequest</c> and <c>ExportMetricsServiceRequest</c>
/// (opentelemetry-proto, <c>opentelemetry/proto/{trace,metrics,common,resource}/v1/*.proto</c>) by field number: only
/// the fields the tests read, the others skipped as protobuf allows.
/// </summary>
public static class OtlpProtobuf
{
    public static List<OtlpSpan> DecodeTraces(ReadOnlySpan<byte> body)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Messages(body, 1))
        {
            var service = ServiceOf(resourceSpans);
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                var scope = Messages(scopeSpans, 1).Select(s => Text(s, 1)).FirstOrDefault() ?? "";
                spans.AddRange(Messages(scopeSpans, 2).Select(span => Span(service, scope, span)));
            }
        }
        return spans;
    }

    public static List<OtlpMetric> DecodeMetrics(ReadOnlySpan<byte> body)
    {
        var metrics = new List<OtlpMetric>();
        foreach (var resourceMetrics in Messages(body, 1))
        {
            var service = ServiceOf(resourceMetrics);
            foreach (var scopeMetrics in Messages(resourceMetrics, 2))
            {
                foreach (var metric in Messages(scopeMetrics, 2))
                {
                    var fields = Fields(metric);
                    // Metric.data: 5 gauge, 7 sum, 9 histogram, 10 exponential histogram, 11 summary.
                    var (kind, data) = fields.Where(f => f.Number is 5 or 7 or 9 or 10 or 11)
                        .Select(f => (Kind: f.Number switch { 5 => "gauge", 7 => "sum", 9 => "histogram", 10 => "exponential_histogram", _ => "summary" }, f.Bytes))
                        .FirstOrDefault();
                    var points = data is null ? [] : Messages(data, 1);
                    // HistogramDataPoint: 4 count (fixed64), 9 attributes; NumberDataPoint: 7 attributes.
                    var count = kind == "histogram" ? points.Sum(p => (long)Fields(p).Where(f => f.Number == 4).Select(f => f.Fixed).FirstOrDefault()) : 0;
                    var attributes = points.Select(p => Attributes(p, kind == "histogram" ? 9 : 7)).ToList();
                    metrics.Add(new OtlpMetric(service, Text(metric, 1), Text(metric, 3), kind ?? "unknown", count, attributes));
                }
            }
        }
        return metrics;
    }

    // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes, 11 events, 13 links, 15 status.
    private static OtlpSpan Span(string service, string scope, byte[] span)
    {
        var fields = Fields(span);
        var events = Messages(span, 11).Select(e => Text(e, 2)).ToList();
        var links = Messages(span, 13).Select(l => Hex(l, 2)).ToList();
        var status = Messages(span, 15).FirstOrDefault() ?? [];
        return new OtlpSpan(service, scope, Hex(span, 1), Hex(span, 2), Hex(span, 4), Text(span, 5),
            (int)fields.Where(f => f.Number == 6).Select(f => f.Varint).FirstOrDefault(), Attributes(span, 9), events, links,
            (int)Fields(status).Where(f => f.Number == 3).Select(f => f.Varint).FirstOrDefault(), Text(status, 2));
    }

    // Resource (field 1 of ResourceSpans/ResourceMetrics): 1 attributes.
    private static string ServiceOf(byte[] resourceData) =>
        Messages(resourceData, 1).Select(r => Attributes(r, 1).GetValueOrDefault("service.name")).FirstOrDefault() ?? "";

    // KeyValue: 1 key, 2 value (AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes).
    private static Dictionary<string, string> Attributes(byte[] message, int field) =>
        Messages(message, field).ToDictionary(kv => Text(kv, 1), kv => AnyValue(Messages(kv, 2).FirstOrDefault() ?? []), StringComparer.Ordinal);

    private static string AnyValue(byte[] value)
    {
        foreach (var f in Fields(value))
        {
            return f.Number switch
            {
                1 => f.Bytes!.Length == 0 ? "" : System.Text.Encoding.UTF8.GetString(f.Bytes),
                2 => f.Varint != 0 ? "true" : "false",
                3 => ((long)f.Varint).ToString(CultureInfo.InvariantCulture),
                4 => BitConverter.Int64BitsToDouble((long)f.Fixed).ToString(CultureInfo.InvariantCulture),
                5 => "[" + string.Join(",", Messages(f.Bytes!, 1).Select(AnyValue)) + "]",
                7 => Convert.ToHexStringLower(f.Bytes!),
                _ => "",
            };
        }
        return "";
    }

    private static string Text(byte[] message, int field) =>
        Fields(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => System.Text.Encoding.UTF8.GetString(f.Bytes!)).FirstOrDefault() ?? "";

    private static string Hex(byte[] message, int field) =>
        Fields(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => Convert.ToHexStringLower(f.Bytes!)).FirstOrDefault() ?? "";

    private static List<byte[]> Messages(ReadOnlySpan<byte> message, int field) =>
        Fields(message.ToArray()).Where(f => f.Number == field && f.Bytes is not null).Select(f => f.Bytes!).ToList();

    private readonly record struct Field(int Number, ulong Varint, ulong Fixed, byte[]? Bytes);

    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, input.ReadUInt64(), 0, null));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new Field(number, 0, input.ReadFixed64(), null));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new Field(number, 0, input.ReadFixed32(), null));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, 0, 0, input.ReadBytes().ToByteArray()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return fields;
    }
}
