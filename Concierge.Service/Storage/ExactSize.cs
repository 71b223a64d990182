namespace Concierge.Service.Storage;

/// <summary>
/// Byte counts for messages about disk sizes: in the largest binary unit that divides the count
/// exactly ("2 TiB", "3000 GiB", "513 bytes"), so a person can read it and nothing is rounded.
/// </summary>
public static class ExactSize
{
    private static readonly string[] Units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>The text for <paramref name="bytes"/>.</summary>
    public static string Format(ulong bytes)
    {
        var unit = 0;
        while (bytes != 0 && bytes % 1024 == 0 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return FormattableString.Invariant($"{bytes} {Units[unit]}");
    }
}
