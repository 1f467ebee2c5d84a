using MultiCodex.Control;
using MultiCodex.Hosting;

// `healthcheck`: the container HEALTHCHECK (the runtime image has no curl) asks this process's gRPC health service.
if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync();
}

var app = ServiceDefaults.BuildOrExplain("multicodex-control", () => ControlApp.Build(args));
if (app is null)
{
    return 2;
}
return await app.RunOrExplainAsync("multicodex-control", "CONTROL_URL");
