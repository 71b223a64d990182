namespace Concierge.Fuzz.Targets;

/// <summary>
/// One fuzz target: feeds an arbitrary input to production code. It returns normally for
/// anything a hostile guest or caller may send (the code under test refused it the contained
/// way) and throws for a finding: an exception that escaped the parser's fault handling, or a
/// device that broke with an internal error instead of a guest fault.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name <c>fuzz/run.sh</c> and the corpus folder use.</summary>
    string Name { get; }

    /// <summary>Runs one input.</summary>
    void Run(ReadOnlySpan<byte> input);

    /// <summary>Hand-made, well-formed inputs the corpus starts from (name, bytes).</summary>
    IEnumerable<(string Name, byte[] Input)> Seeds();
}
