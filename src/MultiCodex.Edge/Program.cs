using MultiCodex.Edge;

var app = EdgeApp.Build(args);
app.Run();
