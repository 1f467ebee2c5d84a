using MultiCodex.Control;

// `healthcheck`: the container HEALTHCHECK (the runtime image has no curl) asks this process's gRPC health service.
if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync();
}

var app = ControlApp.Build(args);
await app.RunAsync();
return 0;
