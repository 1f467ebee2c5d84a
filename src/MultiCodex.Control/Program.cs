using MultiCodex.Control;

var app = ControlApp.Build(args);
app.Run();
