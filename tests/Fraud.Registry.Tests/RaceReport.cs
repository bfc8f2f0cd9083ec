namespace Fraud.Registry.Tests;

/// <summary>Prints race outcomes to the test output (console) so the figures appear in `dotnet test` logs.</summary>
internal static class RaceReport
{
    public static void Record(string suite, string line) => Console.WriteLine($"[race] {suite}: {line}");
}
