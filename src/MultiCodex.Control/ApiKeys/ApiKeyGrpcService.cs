using Grpc.Core;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.ApiKeys;

/// <summary>
/// Maps ApiKeyService calls (/admin/api-keys) onto the key store; the Edges get the hashes and limits through the
/// pool view. Keys are listed with where they stand against their budgets (<see cref="KeyBudgetCounters"/>).
/// </summary>
internal sealed class ApiKeyGrpcService(ApiKeyStore store, KeyLimitsInput input, KeyBudgetCounters counters, TimeProvider time)
    : ApiKeyService.ApiKeyServiceBase
{
    private const int MaxNameLength = 100;

    public override Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var response = new ListApiKeysResponse();
        response.ApiKeys.AddRange(store.All.Select(ToProto));
        return Task.FromResult(response);
    }

    public override Task<GetApiKeyResponse> GetApiKey(GetApiKeyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetApiKeyResponse { ApiKey = ToProto(store.Find(request.Id) ?? throw NotFound(request.Id)) });

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var name = request.Name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            ControlErrors.InvalidArgument("name", $"Give the key a name of 1 to {MaxNameLength} characters (who or what will use it).");
        }
        var limits = input.ForCreate(request.Limits);
        var created = await store.CreateAsync(name, limits)
            ?? throw ControlErrors.AlreadyExistsError("API_KEY_NAME_TAKEN", $"A key named '{name}' exists already; choose another name.");
        return new CreateApiKeyResponse { ApiKey = ToProto(created.Key), Secret = created.Secret };
    }

    public override async Task<UpdateApiKeyResponse> UpdateApiKey(UpdateApiKeyRequest request, ServerCallContext context)
    {
        var changes = request.ApiKey ?? new ApiKey();
        if (string.IsNullOrEmpty(changes.Id))
        {
            ControlErrors.InvalidArgument("api_key.id", "The key's id is required.");
        }
        var fields = KeyLimitsInput.Selected(request.UpdateMask, changes.Limits);
        if (fields.Count == 0)
        {
            ControlErrors.InvalidArgument("update_mask", "Nothing to change: give the limits to set (or an update mask naming those to clear).");
        }
        // Checked inside the store's write, against the limits as they are then: a bad value throws and changes nothing.
        var updated = await store.UpdateLimitsAsync(changes.Id, current => input.Apply(current, changes.Limits, fields, "api_key.limits"))
            ?? throw NotFound(changes.Id);
        return new UpdateApiKeyResponse { ApiKey = ToProto(updated) };
    }

    public override async Task<RevokeApiKeyResponse> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        if (!await store.RevokeAsync(request.Id))
        {
            throw NotFound(request.Id);
        }
        return new RevokeApiKeyResponse();
    }

    private V1.ApiKey ToProto(ApiKeyRecord key) => ApiKeyMapper.ToProto(key, counters.Standing(key, time.GetUtcNow()));

    private static RpcException NotFound(string id) => ControlErrors.NotFoundError("API_KEY_NOT_FOUND", $"No API key has id '{id}'.");
}
