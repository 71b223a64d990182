using Concierge.Fuzz.Targets;
using SharpFuzz;

// fuzz TARGET: AFL++'s persistent-mode child (SharpFuzz speaks the fork server protocol; run
//   alone, it runs the input on stdin once).
// fuzz seeds CORPUS: writes each target's seeds to CORPUS/TARGET/seed-NAME.
if (args is ["seeds", var corpus])
{
    foreach (var target in FuzzTargets.All)
    {
        var directory = Directory.CreateDirectory(Path.Combine(corpus, target.Name));
        foreach (var (name, input) in target.Seeds())
        {
            File.WriteAllBytes(Path.Combine(directory.FullName, $"seed-{name}"), input);
        }
    }
    return 0;
}
if (args is [var targetName])
{
    var target = FuzzTargets.Find(targetName);
    var buffer = new MemoryStream();
    Fuzzer.Run(stream =>
    {
        buffer.SetLength(0);
        stream.CopyTo(buffer);
        target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });
    return 0;
}
Console.Error.WriteLine("usage: Concierge.Fuzz TARGET | Concierge.Fuzz seeds CORPUS_DIR");
return 2;
