using System.Globalization;

namespace Concierge.Vmc.Cli;

/// <summary>
/// Sizes as people type them: plain bytes (1000000000) or a number with a binary suffix
/// (512K, 256M, 1G, 2T; "MiB"/"MB"/"M" all mean 2^20, as in Chrome OS's vmc).
/// </summary>
internal static class SizeParser
{
    public const string Example = "e.g. 1000000000, 256M, 1G";

    public static bool TryParseBytes(string? text, out ulong bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }
        if (digits == 0 || !ulong.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        int? shift = trimmed[digits..].ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => null,
        };
        if (shift is not { } bits || (bits > 0 && number > ulong.MaxValue >> bits))
        {
            return false;
        }
        bytes = number << bits;
        return true;
    }

    /// <summary>Memory sizes: a plain number means MiB (like --mem 512); suffixed numbers are converted and must be whole MiB.</summary>
    public static bool TryParseMebibytes(string? text, out ulong mebibytes)
    {
        mebibytes = 0;
        if (text is { Length: > 0 } && text.All(char.IsAsciiDigit))
        {
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mebibytes);
        }
        if (!TryParseBytes(text, out var bytes) || bytes % (1UL << 20) != 0)
        {
            return false;
        }
        mebibytes = bytes >> 20;
        return true;
    }
}
