using MultiCodex.Edge;

// `healthcheck`: the container HEALTHCHECK (the runtime image has no curl) asks this process's own /healthz.
if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync();
}

var app = EdgeApp.Build(args);
await app.RunAsync();
return 0;
