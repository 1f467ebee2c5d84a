using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>
/// The oldest queued reports, as the queue keeps them: each its encoded <see cref="PoolReport"/>. Written into one
/// <see cref="ReportOutcomesRequest"/> as bytes, never decoded: a message field is its bytes on the wire, and a
/// field appended to them (the age, known only now) is read as part of the same message (protobuf's encoding:
/// https://protobuf.dev/programming-guides/encoding/#last-one-wins).
/// </summary>
internal sealed class ReportBatch(IReadOnlyList<ReportBatch.Entry> entries)
{
    public int Count => entries.Count;

    /// <summary>The number of the oldest report (the batch must not be empty).</summary>
    public ulong FirstSequence => entries[0].Sequence;

    /// <summary>The encoded request: this Edge's id, then every report with its age appended.</summary>
    public byte[] Encode(string edgeId)
    {
        var head = new ReportOutcomesRequest { EdgeId = edgeId }.ToByteArray();
        var ages = new byte[entries.Count][];
        var size = head.Length;
        for (var i = 0; i < entries.Count; i++)
        {
            ages[i] = new PoolReport { Age = Duration.FromTimeSpan(entries[i].Age) }.ToByteArray();
            var length = entries[i].Encoded.Length + ages[i].Length;
            size += ElementTagSize + CodedOutputStream.ComputeLengthSize(length) + length;
        }
        var request = new byte[size];
        head.CopyTo(request, 0);
        var at = head.Length;
        var header = new byte[ElementTagSize + 5];
        for (var i = 0; i < entries.Count; i++)
        {
            var output = new CodedOutputStream(header);
            output.WriteTag(ReportOutcomesRequest.ReportsFieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteLength(entries[i].Encoded.Length + ages[i].Length);
            output.Flush();
            at += Copy(header.AsSpan(0, (int)output.Position), request, at);
            at += Copy(entries[i].Encoded, request, at);
            at += Copy(ages[i], request, at);
        }
        return request;
    }

    private static readonly int ElementTagSize = CodedOutputStream.ComputeTagSize(ReportOutcomesRequest.ReportsFieldNumber);

    private static int Copy(ReadOnlySpan<byte> from, byte[] to, int at)
    {
        from.CopyTo(to.AsSpan(at));
        return from.Length;
    }

    /// <summary>One queued report: its number, its encoding and how long ago it happened.</summary>
    public readonly record struct Entry(ulong Sequence, byte[] Encoded, TimeSpan Age);
}

/// <summary>
/// Control's <c>ReportOutcomes</c> call with a request that is already encoded (<see cref="ReportBatch"/>), on the
/// same service and method as <see cref="PoolService.PoolServiceClient"/>.
/// </summary>
public sealed class EncodedReportsClient : ClientBase<EncodedReportsClient>
{
    private static readonly Method<byte[], ReportOutcomesResponse> ReportOutcomes = new(
        MethodType.Unary,
        PoolService.Descriptor.FullName,
        nameof(PoolService.PoolServiceClient.ReportOutcomes),
        Marshallers.Create(static (byte[] request) => request, static request => request),
        Marshallers.Create(static (ReportOutcomesResponse response) => response.ToByteArray(), ReportOutcomesResponse.Parser.ParseFrom));

    public EncodedReportsClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    private EncodedReportsClient(ClientBaseConfiguration configuration)
        : base(configuration)
    {
    }

    /// <summary>Sends one encoded <see cref="ReportOutcomesRequest"/>.</summary>
    public AsyncUnaryCall<ReportOutcomesResponse> ReportOutcomesAsync(byte[] request, CallOptions options) =>
        CallInvoker.AsyncUnaryCall(ReportOutcomes, null, options, request);

    protected override EncodedReportsClient NewInstance(ClientBaseConfiguration configuration) => new(configuration);
}
