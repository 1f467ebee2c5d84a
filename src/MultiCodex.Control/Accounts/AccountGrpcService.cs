using System.Threading.Channels;
using Grpc.Core;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.Usage;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Accounts;

/// <summary>Maps AccountService calls (gRPC, gRPC-Web and the /admin/accounts REST routes) onto the account store.</summary>
internal sealed class AccountGrpcService(AccountStore store, AccountSignIns signIns, UsageProber prober, UsageRecheck recheck, TimeProvider time)
    : AccountService.AccountServiceBase
{
    public const int MaxPriority = 1000;
    public const int MaxLabelLength = 100;
    private static readonly string[] MutableFields = ["label", "priority", "enabled"];

    public override Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var response = new ListAccountsResponse();
        response.Accounts.AddRange(store.All.Select(a => AccountMapper.ToProto(a, now)));
        return Task.FromResult(response);
    }

    public override async Task WatchAccounts(WatchAccountsRequest request, IServerStreamWriter<WatchAccountsResponse> responseStream,
        ServerCallContext context)
    {
        // One pending signal is enough: each message carries the whole list as it is when sent.
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(IReadOnlyList<AccountRecord> _) => changed.Writer.TryWrite(true);
        store.Changed += OnChanged;
        try
        {
            do
            {
                var now = time.GetUtcNow();
                var message = new WatchAccountsResponse();
                message.Accounts.AddRange(store.All.Select(a => AccountMapper.ToProto(a, now)));
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
            while (await changed.Reader.WaitToReadAsync(context.CancellationToken) && changed.Reader.TryRead(out _));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
        finally
        {
            store.Changed -= OnChanged;
        }
    }

    public override Task<GetAccountResponse> GetAccount(GetAccountRequest request, ServerCallContext context) =>
        Task.FromResult(new GetAccountResponse { Account = AccountMapper.ToProto(Existing(request.Id), time.GetUtcNow()) });

    public override async Task<CreateAccountResponse> CreateAccount(CreateAccountRequest request, ServerCallContext context)
    {
        var hasTokens = request.Tokens is not null;
        var hasAuthJson = !string.IsNullOrWhiteSpace(request.AuthJson);
        if (hasTokens == hasAuthJson)
        {
            ControlErrors.InvalidArgument("tokens", "Give exactly one of \"tokens\" (accessToken, refreshToken, idToken) or \"authJson\".");
        }
        var label = ValidLabel(request.Label, allowEmpty: true);
        var priority = ValidPriority(request.Priority);
        var result = hasTokens
            ? await signIns.AddTokensAsync(request.Tokens!.AccessToken, request.Tokens.RefreshToken, NullIfEmpty(request.Tokens.IdToken), label, priority)
            : await signIns.AddAuthJsonAsync(request.AuthJson, label, priority);
        if (result.Account is null)
        {
            ControlErrors.InvalidArgument(hasTokens ? "tokens" : "auth_json", result.Error!);
        }
        return new CreateAccountResponse
        {
            Account = AccountMapper.ToProto(result.Account, time.GetUtcNow()),
            Created = result.Created,
            TokensKept = result.TokensKept,
        };
    }

    public override async Task<ImportAccountsResponse> ImportAccounts(ImportAccountsRequest request, ServerCallContext context)
    {
        if (request.AuthJsons.Count == 0)
        {
            ControlErrors.InvalidArgument("auth_jsons", "Give at least one auth.json text in \"authJsons\".");
        }
        var response = new ImportAccountsResponse();
        for (var i = 0; i < request.AuthJsons.Count; i++)
        {
            var result = await signIns.AddAuthJsonAsync(request.AuthJsons[i]);
            response.Results.Add(new ImportAccountResult
            {
                Index = i,
                Account = result.Account is null ? null : AccountMapper.ToProto(result.Account, time.GetUtcNow()),
                Created = result.Created,
                TokensKept = result.TokensKept,
                Error = result.Error ?? "",
            });
        }
        return response;
    }

    public override Task<ExportAccountResponse> ExportAccount(ExportAccountRequest request, ServerCallContext context) =>
        Task.FromResult(new ExportAccountResponse { AuthJson = AuthJson.Format(Existing(request.Id)) });

    public override async Task<UpdateAccountResponse> UpdateAccount(UpdateAccountRequest request, ServerCallContext context)
    {
        var changes = request.Account ?? new Account();
        if (string.IsNullOrEmpty(changes.Id))
        {
            ControlErrors.InvalidArgument("account.id", "The account id is required.");
        }
        var fields = request.UpdateMask is { Paths.Count: > 0 } mask
            ? mask.Paths.Select(p => p.Trim()).ToHashSet(StringComparer.Ordinal)
            : PresentFields(changes);
        foreach (var field in fields.Where(f => !MutableFields.Contains(f)))
        {
            ControlErrors.InvalidArgument("update_mask", $"Field '{field}' cannot be changed; only label, priority and enabled can.");
        }
        if (fields.Count == 0)
        {
            ControlErrors.InvalidArgument("update_mask", "Nothing to change: give label, priority or enabled.");
        }
        var label = fields.Contains("label") ? ValidLabel(changes.Label, allowEmpty: false) : null;
        var priority = fields.Contains("priority") ? ValidPriority(changes.Priority) : (int?)null;
        var enabled = fields.Contains("enabled") ? changes.Enabled : (bool?)null;

        var now = time.GetUtcNow();
        var updated = await store.UpdateAsync(changes.Id, a => a with
        {
            Label = label ?? a.Label,
            Priority = priority ?? a.Priority,
            Enabled = enabled ?? a.Enabled,
            UpdatedAt = now,
        });
        if (updated is null)
        {
            ControlErrors.AccountNotFound(changes.Id);
        }
        return new UpdateAccountResponse { Account = AccountMapper.ToProto(updated, now) };
    }

    public override async Task<DeleteAccountResponse> DeleteAccount(DeleteAccountRequest request, ServerCallContext context)
    {
        if (!await store.DeleteAsync(request.Id))
        {
            ControlErrors.AccountNotFound(request.Id);
        }
        return new DeleteAccountResponse();
    }

    public override async Task<UnblockAccountResponse> UnblockAccount(UnblockAccountRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var updated = await store.UpdateAsync(request.Id, a => a.Block is null ? a : a with { Block = null, UpdatedAt = now });
        if (updated is null)
        {
            ControlErrors.AccountNotFound(request.Id);
        }
        // The usage shown with it is from before the block; look again so the card tells the truth.
        recheck.Request(updated.Id, RecheckReason.Unblocked);
        return new UnblockAccountResponse { Account = AccountMapper.ToProto(updated, now) };
    }

    public override async Task<RefreshAccountUsageResponse> RefreshAccountUsage(RefreshAccountUsageRequest request, ServerCallContext context)
    {
        var account = await prober.ProbeAsync(request.Id, context.CancellationToken);
        if (account is null)
        {
            ControlErrors.AccountNotFound(request.Id);
        }
        return new RefreshAccountUsageResponse { Account = AccountMapper.ToProto(account, time.GetUtcNow()) };
    }

    private AccountRecord Existing(string id)
    {
        var account = store.Find(id);
        if (account is null)
        {
            ControlErrors.AccountNotFound(id);
        }
        return account;
    }

    private static HashSet<string> PresentFields(Account changes)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        if (changes.HasLabel) { fields.Add("label"); }
        if (changes.HasPriority) { fields.Add("priority"); }
        if (changes.HasEnabled) { fields.Add("enabled"); }
        return fields;
    }

    private static string? ValidLabel(string label, bool allowEmpty)
    {
        var trimmed = label.Trim();
        if (trimmed.Length == 0 && !allowEmpty)
        {
            ControlErrors.InvalidArgument("label", "The label cannot be empty.");
        }
        if (trimmed.Length > MaxLabelLength)
        {
            ControlErrors.InvalidArgument("label", $"The label is longer than {MaxLabelLength} characters.");
        }
        return trimmed.Length == 0 ? null : trimmed;
    }

    private static int ValidPriority(int priority)
    {
        if (priority is < 0 or > MaxPriority)
        {
            ControlErrors.InvalidArgument("priority", $"Priority must be between 0 and {MaxPriority} (lower is served first).");
        }
        return priority;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
