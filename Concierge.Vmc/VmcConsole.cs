namespace Concierge.Vmc;

/// <summary>Where vmc reads and writes, and whether a person is on the other end (tests pass their own).</summary>
/// <param name="Out">Results (tables, JSON, command output).</param>
/// <param name="Error">Progress, prompts, errors.</param>
/// <param name="In">Answers to prompts.</param>
/// <param name="InputIsTerminal">True when stdin is a terminal (prompts may be asked).</param>
/// <param name="ErrorIsTerminal">True when stderr is a terminal (progress may redraw one line).</param>
internal sealed record VmcConsole(TextWriter Out, TextWriter Error, TextReader In, bool InputIsTerminal, bool ErrorIsTerminal)
{
    /// <summary>The process's own streams.</summary>
    public static VmcConsole System => new(
        Console.Out, Console.Error, Console.In, !Console.IsInputRedirected, !Console.IsErrorRedirected);

    /// <summary>Raw bytes to stdout (exec relays the guest's output unchanged).</summary>
    public Stream? RawOut { get; init; }

    /// <summary>Raw bytes to stderr.</summary>
    public Stream? RawError { get; init; }
}
