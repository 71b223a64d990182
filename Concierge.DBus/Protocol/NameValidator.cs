namespace Concierge.DBus.Protocol;

/// <summary>Syntax checks for object paths and bus, interface, member and error names.</summary>
public static class NameValidator
{
    /// <summary>True for <c>/</c> or <c>/a/b_c/D1</c> style paths: no empty elements, no trailing slash.</summary>
    public static bool IsValidObjectPath(ReadOnlySpan<char> path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return false;
        }
        if (path.Length == 1)
        {
            return true;
        }
        var previousSlash = true;
        for (var i = 1; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '/')
            {
                if (previousSlash)
                {
                    return false;
                }
                previousSlash = true;
            }
            else if (IsElementChar(c))
            {
                previousSlash = false;
            }
            else
            {
                return false;
            }
        }
        return !previousSlash;
    }

    /// <summary>Interface names: two or more dot-separated elements, none starting with a digit.</summary>
    public static bool IsValidInterfaceName(ReadOnlySpan<char> name) => IsDotted(name, allowHyphen: false, allowLeadingDigit: false);

    /// <summary>Error names follow the interface name rules.</summary>
    public static bool IsValidErrorName(ReadOnlySpan<char> name) => IsValidInterfaceName(name);

    /// <summary>A member (method, signal, property) name: one element, no dots, not starting with a digit.</summary>
    public static bool IsValidMemberName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > ProtocolLimits.MaxNameLength || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!IsElementChar(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A unique (<c>:1.42</c>) or well-known (<c>org.example.Foo</c>) bus name.</summary>
    public static bool IsValidBusName(ReadOnlySpan<char> name)
    {
        if (name.Length > 0 && name[0] == ':')
        {
            return IsDotted(name[1..], allowHyphen: true, allowLeadingDigit: true) && name.Length <= ProtocolLimits.MaxNameLength;
        }
        return IsDotted(name, allowHyphen: true, allowLeadingDigit: false);
    }

    private static bool IsElementChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsDotted(ReadOnlySpan<char> name, bool allowHyphen, bool allowLeadingDigit)
    {
        if (name.Length is 0 or > ProtocolLimits.MaxNameLength)
        {
            return false;
        }
        var elements = 1;
        var elementStart = true;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (elementStart)
                {
                    return false;
                }
                elements++;
                elementStart = true;
                continue;
            }
            var ok = IsElementChar(c) || (allowHyphen && c == '-');
            if (!ok || (elementStart && !allowLeadingDigit && char.IsAsciiDigit(c)))
            {
                return false;
            }
            elementStart = false;
        }
        return !elementStart && elements >= 2;
    }
}
