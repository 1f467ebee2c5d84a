using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.OAuth;

/// <summary>Maps OAuthService calls (gRPC, gRPC-Web, /admin/oauth/* REST) onto the flow manager.</summary>
internal sealed class OAuthGrpcService(OAuthFlowManager manager, OAuthFlowStore flows, AccountStore accounts, TimeProvider time)
    : OAuthService.OAuthServiceBase
{
    public override async Task<StartOAuthFlowResponse> StartOAuthFlow(StartOAuthFlowRequest request, ServerCallContext context)
    {
        EnsureRenewable(request.RenewAccountId);
        return new StartOAuthFlowResponse { Flow = ToProto(await manager.StartBrowserFlowAsync(request.Email, request.RenewAccountId)) };
    }

    public override Task<GetOAuthFlowResponse> GetOAuthFlow(GetOAuthFlowRequest request, ServerCallContext context)
    {
        var flow = flows.Find(request.FlowId);
        if (flow is null)
        {
            ControlErrors.FlowNotFound(request.FlowId);
        }
        return Task.FromResult(new GetOAuthFlowResponse { Flow = ToProto(flow) });
    }

    public override async Task<CompleteOAuthFlowResponse> CompleteOAuthFlow(CompleteOAuthFlowRequest request, ServerCallContext context)
    {
        try
        {
            var (flow, account) = await manager.CompleteBrowserFlowAsync(request.FlowId, request.RedirectUrl, context.CancellationToken);
            return new CompleteOAuthFlowResponse { Account = AccountMapper.ToProto(account, time.GetUtcNow()), Flow = ToProto(flow) };
        }
        catch (SignInException e)
        {
            throw Translate(e, "redirect_url");
        }
    }

    public override async Task<StartDeviceFlowResponse> StartDeviceFlow(StartDeviceFlowRequest request, ServerCallContext context)
    {
        EnsureRenewable(request.RenewAccountId);
        try
        {
            return new StartDeviceFlowResponse
            {
                Flow = ToProto(await manager.StartDeviceFlowAsync(request.Email, request.RenewAccountId, context.CancellationToken)),
            };
        }
        catch (SignInException e)
        {
            throw Translate(e, "email");
        }
    }

    public override async Task<CancelOAuthFlowResponse> CancelOAuthFlow(CancelOAuthFlowRequest request, ServerCallContext context)
    {
        var flow = await manager.CancelAsync(request.FlowId);
        if (flow is null)
        {
            ControlErrors.FlowNotFound(request.FlowId);
        }
        return new CancelOAuthFlowResponse { Flow = ToProto(flow) };
    }

    // "Sign in again" names an account that must exist; the sign-in itself must then match it (AccountSignIns).
    private void EnsureRenewable(string renewAccountId)
    {
        if (!string.IsNullOrWhiteSpace(renewAccountId) && accounts.Find(renewAccountId.Trim()) is null)
        {
            ControlErrors.AccountNotFound(renewAccountId.Trim());
        }
    }

    private static RpcException Translate(SignInException e, string field) => e.Kind switch
    {
        SignInError.NotFound => ControlErrors.NotFoundError("OAUTH_FLOW_NOT_FOUND", e.Message),
        SignInError.InvalidInput => ControlErrors.InvalidArgumentError(field, e.Message),
        _ => ControlErrors.FailedPreconditionError("SIGN_IN_REJECTED", e.Message),
    };

    private OAuthFlow ToProto(OAuthFlowRecord flow)
    {
        var now = time.GetUtcNow();
        var proto = new OAuthFlow
        {
            FlowId = flow.Id,
            Kind = flow.Kind == FlowKind.Device ? OAuthFlow.Types.Kind.Device : OAuthFlow.Types.Kind.Browser,
            State = flow.IsExpiredAt(now) ? OAuthFlow.Types.State.Expired
                : flow.Status switch
                {
                    FlowStatus.Completed => OAuthFlow.Types.State.Completed,
                    FlowStatus.Failed => OAuthFlow.Types.State.Failed,
                    FlowStatus.Cancelled => OAuthFlow.Types.State.Cancelled,
                    _ => OAuthFlow.Types.State.Pending,
                },
            Email = flow.Email ?? "",
            AuthorizeUrl = flow.AuthorizeUrl ?? "",
            RedirectUri = flow.Kind == FlowKind.Browser ? flow.RedirectUri : "",
            UserCode = flow.UserCode ?? "",
            VerificationUrl = flow.VerificationUrl ?? "",
            CreateTime = Timestamp.FromDateTimeOffset(flow.CreatedAt),
            ExpireTime = Timestamp.FromDateTimeOffset(flow.ExpiresAt),
            Error = flow.Error ?? "",
            RenewAccountId = flow.RenewAccountId ?? "",
        };
        if (flow.AccountId is not null && accounts.Find(flow.AccountId) is { } account)
        {
            proto.Account = AccountMapper.ToProto(account, now);
        }
        return proto;
    }
}
