using System.Buffers.Text;
using System.Text;
using Concierge.Service.Naming;

namespace Concierge.Service.Storage;

/// <summary>
/// File names for per-VM files. A VM name never becomes a path by itself: it is UTF-8 encoded
/// and written as base64url with padding (as Chrome OS names its disk images), whose alphabet
/// <c>[A-Za-z0-9_=-]</c> cannot spell a separator, a dot or "..".
/// </summary>
public static class DiskNames
{
    /// <summary>The file stem for <paramref name="vmName"/>.</summary>
    public static string Encode(string vmName)
    {
        VmNames.Validate(vmName, "vm_name");
        var bytes = Encoding.UTF8.GetBytes(vmName);
        var encoded = Base64Url.EncodeToString(bytes);
        // Base64Url omits padding; Chrome OS keeps it, so add it back for the same file names.
        return encoded.PadRight((encoded.Length + 3) / 4 * 4, '=');
    }

    /// <summary>The VM name a file stem stands for, or null when the stem is not one we wrote.</summary>
    public static string? TryDecode(string stem)
    {
        var unpadded = stem.TrimEnd('=');
        if (unpadded.Length == 0 || stem.Length % 4 != 0 || stem.Length - unpadded.Length > 2
            || !Base64Url.IsValid(unpadded.AsSpan()))
        {
            return null;
        }
        string name;
        try
        {
            name = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(unpadded.AsSpan()));
        }
        catch (FormatException)
        {
            return null;
        }
        return VmNames.IsValid(name, out _) && Encode(name) == stem ? name : null;
    }
}
