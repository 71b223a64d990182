using System.Globalization;
using Concierge.Service.Errors;

namespace Concierge.Service.Naming;

/// <summary>
/// Owner ids. Chrome OS keys VMs by a user-id hash; here the owner is the caller's uid as the
/// bus reports it, and the Chrome OS-compatible face carries it as a decimal string in
/// <c>owner_id</c>/<c>cryptohome_id</c>. (uid_t -1 is "no user" to the kernel, so it is refused.)
/// </summary>
public static class OwnerIds
{
    /// <summary>The longest decimal text of a 32-bit uid.</summary>
    private const int MaxDigits = 10;

    /// <summary>Parses <paramref name="ownerId"/> or throws <see cref="InvalidRequestException"/>.</summary>
    public static uint Parse(string? ownerId, string field = "owner_id")
    {
        if (TryParse(ownerId, out var uid, out var problem))
        {
            return uid;
        }
        throw new InvalidRequestException(field, $"Empty or malformed owner ID: {problem}");
    }

    /// <summary>Parses <paramref name="ownerId"/>; on failure <paramref name="problem"/> says why.</summary>
    public static bool TryParse(string? ownerId, out uint uid, out string? problem)
    {
        uid = 0;
        problem = null;
        if (string.IsNullOrEmpty(ownerId))
        {
            problem = "the owner id is empty";
            return false;
        }
        if (ownerId.Length > MaxDigits || !ownerId.All(char.IsAsciiDigit))
        {
            problem = "the owner id must be a decimal uid";
            return false;
        }
        if (ownerId.Length > 1 && ownerId[0] == '0')
        {
            // One spelling per uid, so "0042" and "42" can never name two owners.
            problem = "the owner id must not have leading zeros";
            return false;
        }
        if (!uint.TryParse(ownerId, NumberStyles.None, CultureInfo.InvariantCulture, out uid) || uid == uint.MaxValue)
        {
            uid = 0;
            problem = "the owner id is out of the uid range";
            return false;
        }
        return true;
    }

    /// <summary>The canonical text of <paramref name="uid"/>.</summary>
    public static string Format(uint uid) => uid.ToString(CultureInfo.InvariantCulture);
}
