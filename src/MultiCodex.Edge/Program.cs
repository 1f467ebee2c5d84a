using MultiCodex.Edge;
using MultiCodex.Hosting;

// `healthcheck`: the container HEALTHCHECK (the runtime image has no curl) asks this process's own /healthz.
if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync();
}

var app = ServiceDefaults.BuildOrExplain("multicodex-edge", () => EdgeApp.Build(args));
if (app is null)
{
    return 2;
}
return await app.RunOrExplainAsync("multicodex-edge", "PORT and HOST");
