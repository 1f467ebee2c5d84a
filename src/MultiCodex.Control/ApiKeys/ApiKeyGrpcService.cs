using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.ApiKeys;

/// <summary>Maps ApiKeyService calls (/admin/api-keys) onto the key store; the Edges get the hashes through the pool view.</summary>
internal sealed class ApiKeyGrpcService(ApiKeyStore store) : ApiKeyService.ApiKeyServiceBase
{
    private const int MaxNameLength = 100;

    public override Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var response = new ListApiKeysResponse();
        response.ApiKeys.AddRange(store.All.Select(ToProto));
        return Task.FromResult(response);
    }

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var name = request.Name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            ControlErrors.InvalidArgument("name", $"Give the key a name of 1 to {MaxNameLength} characters (who or what will use it).");
        }
        var created = await store.CreateAsync(name)
            ?? throw ControlErrors.AlreadyExistsError("API_KEY_NAME_TAKEN", $"A key named '{name}' exists already; choose another name.");
        return new CreateApiKeyResponse { ApiKey = ToProto(created.Key), Secret = created.Secret };
    }

    public override async Task<RevokeApiKeyResponse> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        if (!await store.RevokeAsync(request.Id))
        {
            throw ControlErrors.NotFoundError("API_KEY_NOT_FOUND", $"No API key has id '{request.Id}'.");
        }
        return new RevokeApiKeyResponse();
    }

    private static V1.ApiKey ToProto(ApiKeyRecord key) =>
        new() { Id = key.Id, Name = key.Name, Prefix = key.Prefix, CreateTime = Timestamp.FromDateTimeOffset(key.CreatedAt) };
}
