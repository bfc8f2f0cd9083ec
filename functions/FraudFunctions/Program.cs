var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "ok");
app.Run();

/// <summary>Entry point type, public so that tests can host the app.</summary>
public partial class Program;
