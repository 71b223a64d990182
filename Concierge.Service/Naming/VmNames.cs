using Concierge.Service.Errors;

namespace Concierge.Service.Naming;

/// <summary>
/// Which VM names the service accepts. A name reaches file names (encoded), object paths
/// (escaped), log lines and shell prompts, so it is kept to what a hostname may hold, like
/// systemd-machined's machine names, and to Chrome OS's 60-character limit.
/// </summary>
public static class VmNames
{
    /// <summary>The longest accepted name, in characters (Chrome OS's StartVm limit).</summary>
    public const int MaxLength = 60;

    /// <summary>Throws <see cref="InvalidRequestException"/> unless <paramref name="name"/> is acceptable.</summary>
    public static string Validate(string? name, string field = "name")
    {
        if (Check(name) is { } problem)
        {
            throw new InvalidRequestException(field, $"Empty or malformed VM name: {problem}");
        }
        return name!;
    }

    /// <summary>True when <paramref name="name"/> is acceptable; else <paramref name="problem"/> says why.</summary>
    public static bool IsValid(string? name, out string? problem)
    {
        problem = Check(name);
        return problem is null;
    }

    private static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the name is empty";
        }
        if (name.Length > MaxLength)
        {
            return $"the name has {name.Length} characters, at most {MaxLength} are allowed";
        }
        for (var i = 0; i < name.Length; i++)
        {
            if (!IsAllowed(name[i]))
            {
                return $"character {i} (U+{(int)name[i]:X4}) is not one of A-Z a-z 0-9 - _ .";
            }
        }
        if (name[0] is '.' or '-')
        {
            return "the name must not start with '.' or '-'";
        }
        if (name.Contains("..", StringComparison.Ordinal))
        {
            return "the name must not contain '..'";
        }
        return null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
