using Concierge.Fuzz.Targets;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Fuzz;

/// <summary>
/// Replays every committed corpus input through the same target code AFL++ runs (fuzz/): the
/// seeds, the inputs that found new coverage, and each crash found with its fix, so a fuzzer's
/// finding stays fixed without the fuzzer. A case fails if its target throws or does not finish.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class CorpusReplayTests
{
    // Generous for the 2-core CI machine: a corpus input runs in milliseconds; a hang is a bug.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static string CorpusRoot => Path.Combine(RepoPaths.Root, "fuzz", "corpus");

    public static IEnumerable<TestCaseData> Inputs() =>
        FuzzTargets.All.SelectMany(target => CorpusFiles(target.Name)
            .Select(file => new TestCaseData(target.Name, Path.GetFileName(file)).SetArgDisplayNames(target.Name, Path.GetFileName(file))));

    [TestCaseSource(nameof(Inputs))]
    public void CorpusInputRunsCleanAndEnds(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(CorpusRoot, target, file));
        var run = Task.Factory.StartNew(() => FuzzTargets.Find(target).Run(input), TaskCreationOptions.LongRunning);

        var ended = SpinWait.SpinUntil(() => run.IsCompleted, Bound);

        Assert.That(ended, Is.True, $"{target} did not finish {file} within {Bound.TotalSeconds} s");
        Assert.That(run.Exception?.InnerException, Is.Null, $"{target} failed on {file}");
    }

    [Test]
    public void EveryTargetHasACorpusAndEveryCorpusATarget()
    {
        var folders = Directory.GetDirectories(CorpusRoot).Select(Path.GetFileName).Order();

        Assert.That(folders, Is.EqualTo(FuzzTargets.All.Select(t => t.Name).Order()));
        Assert.That(FuzzTargets.All.Where(t => !CorpusFiles(t.Name).Any()).Select(t => t.Name), Is.Empty, "targets with an empty corpus");
    }

    [Test]
    public void EveryTargetAcceptsTheEmptyInputAndItsOwnSeeds()
    {
        foreach (var target in FuzzTargets.All)
        {
            Assert.DoesNotThrow(() => target.Run([]), target.Name);
            foreach (var (name, input) in target.Seeds())
            {
                Assert.DoesNotThrow(() => target.Run(input), $"{target.Name}/{name}");
            }
        }
    }

    private static IEnumerable<string> CorpusFiles(string target)
    {
        var folder = Path.Combine(CorpusRoot, target);
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal) : [];
    }
}
