using System.Text;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

[assembly: Concierge.Tests.TestSupport.ProgressLog]

namespace Concierge.Tests.TestSupport;

/// <summary>
/// With <c>CONCIERGE_TEST_PROGRESS</c> naming a file, says when each test starts and ends, so a
/// run that hangs, or whose emulated machine freezes, names the test it was in: a line on the
/// process's own stderr (past NUnit's output capture, which would hold it until the test ends)
/// and a line in that file: <c>start\tFULLNAME</c>, then <c>end\tOUTCOME\tFULLNAME</c> with
/// OUTCOME passed, failed or skipped. sandbox/run reads the file to name the test a frozen L1 was
/// running; dev.sh reads it to run again only the tests that had not ended. Without the variable
/// it does nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ProgressLogAttribute : Attribute, ITestAction
{
    private static readonly string? LogPath = Environment.GetEnvironmentVariable("CONCIERGE_TEST_PROGRESS");
    private static readonly Lock Gate = new();
    private static Stream? stderr;

    /// <inheritdoc/>
    public ActionTargets Targets => ActionTargets.Test;

    /// <inheritdoc/>
    public void BeforeTest(ITest test) =>
        Record($"start\t{test.FullName}", $"starting {test.FullName}");

    /// <inheritdoc/>
    public void AfterTest(ITest test)
    {
        var outcome = OutcomeWord(TestContext.CurrentContext.Result.Outcome.Status);
        Record($"end\t{outcome}\t{test.FullName}", $"ended {test.FullName}: {outcome}");
    }

    /// <summary>The runner's words for a result, as its summary counts them.</summary>
    private static string OutcomeWord(TestStatus status) => status switch
    {
        TestStatus.Passed or TestStatus.Warning => "passed",
        TestStatus.Failed => "failed",
        _ => "skipped",
    };

    private static void Record(string logLine, string consoleLine)
    {
        if (LogPath is null)
        {
            return;
        }
        lock (Gate)
        {
            // Appended and closed line by line: the file must be whole on the host the moment
            // the emulated machine stops answering.
            File.AppendAllText(LogPath, logLine + "\n");
            stderr ??= Console.OpenStandardError();
            stderr.Write(Encoding.UTF8.GetBytes($"==> {consoleLine}\n"));
            stderr.Flush();
        }
    }
}
