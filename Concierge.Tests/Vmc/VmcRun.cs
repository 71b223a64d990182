using Concierge.Tests.TestSupport;
using Concierge.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

/// <summary>vmc run in-process with captured output (the same code path as the executable).</summary>
public sealed record VmcRun(int ExitCode, string Out, string Error)
{
    public string Output => Out + Error;

    public static async Task<VmcRun> RunAsync(params string[] args) => await RunAsync(args, stdin: string.Empty, interactive: false);

    public static async Task<VmcRun> RunAsync(string[] args, string stdin, bool interactive)
    {
        await using var run = VmcInBackground.Start(args, stdin, interactive);
        return await run.Completion;
    }
}

/// <summary>
/// vmc running while the test goes on (watch runs until cancelled, as by Ctrl-C): its output so
/// far can be waited for, and disposing it cancels it.
/// </summary>
public sealed class VmcInBackground : IAsyncDisposable
{
    private readonly SharedText _out = new();
    private readonly SharedText _error = new();
    private readonly CancellationTokenSource _interrupt = new();

    private VmcInBackground(string[] args, string stdin, bool interactive)
    {
        var console = new VmcConsole(_out.Writer, _error.Writer, new StringReader(stdin), interactive, ErrorIsTerminal: false);
        Completion = RunAsync(args, console);
    }

    /// <summary>The run's result, once vmc has returned.</summary>
    public Task<VmcRun> Completion { get; }

    public static VmcInBackground Start(string[] args, string stdin = "", bool interactive = false) => new(args, stdin, interactive);

    /// <summary>Waits until stdout or stderr holds <paramref name="text"/>; fails the test with the output so far if it never does.</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        // A vmc that has ended prints nothing more: the wait ends then, and the check below fails.
        await Eventually.HoldsAsync(() => HasOutput(text) || Completion.IsCompleted, timeout, () => Missing(text));
        Assert.That(HasOutput(text), Is.True, Missing(text));
    }

    private string Missing(string text) => $"vmc never printed '{text}'; out:\n{_out.Text}\nerror:\n{_error.Text}";

    /// <summary>True when stdout or stderr holds <paramref name="text"/> by now.</summary>
    public bool HasOutput(string text) => (_out.Text + _error.Text).Contains(text, StringComparison.Ordinal);

    /// <summary>Interrupts vmc (Ctrl-C) and returns what it did.</summary>
    public async Task<VmcRun> InterruptAsync()
    {
        await _interrupt.CancelAsync();
        return await Completion;
    }

    public async ValueTask DisposeAsync()
    {
        await _interrupt.CancelAsync();
        await Completion;
        _interrupt.Dispose();
    }

    private async Task<VmcRun> RunAsync(string[] args, VmcConsole console)
    {
        await Task.Yield();
        var code = await VmcApp.RunAsync(args, console, TimeProvider.System, _interrupt.Token);
        return new VmcRun(code, _out.Text, _error.Text);
    }

    /// <summary>Text vmc writes from its own tasks while the test reads it.</summary>
    private sealed class SharedText
    {
        private readonly StringWriter _text = new();

        public SharedText() => Writer = TextWriter.Synchronized(_text);

        /// <summary>Every call takes the lock of this wrapper (its methods are synchronized).</summary>
        public TextWriter Writer { get; }

        public string Text
        {
            get
            {
                lock (Writer)
                {
                    return _text.ToString();
                }
            }
        }
    }
}
