using System.Text;
using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>
/// A signal match rule: sent to the bus with AddMatch and also checked locally, so each
/// subscription sees only its own signals. A well-known <see cref="Sender"/> is filtered by the bus
/// only (the message carries the owner's unique name), so two subscriptions on one connection that
/// differ only in a well-known sender can see each other's signals.
/// </summary>
public sealed class MatchRule
{
    /// <summary>Sender bus name (unique or well-known).</summary>
    public string? Sender { get; init; }

    /// <summary>Signal interface.</summary>
    public string? Interface { get; init; }

    /// <summary>Signal name.</summary>
    public string? Member { get; init; }

    /// <summary>Exact object path.</summary>
    public string? Path { get; init; }

    /// <summary>Object path or any path below it.</summary>
    public string? PathNamespace { get; init; }

    /// <summary>Destination (for unicast signals).</summary>
    public string? Destination { get; init; }

    /// <summary>The first argument, when it is a string, must equal this.</summary>
    public string? Arg0 { get; init; }

    /// <summary>True if <paramref name="message"/> is a signal this rule selects.</summary>
    public bool Matches(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Type != MessageType.Signal)
        {
            return false;
        }
        if (Sender is not null && Sender.StartsWith(':') && Sender != message.Sender)
        {
            return false;
        }
        if ((Interface is not null && Interface != message.Interface)
            || (Member is not null && Member != message.Member)
            || (Path is not null && Path != message.Path)
            || (Destination is not null && Destination != message.Destination))
        {
            return false;
        }
        if (PathNamespace is not null && !IsInNamespace(message.Path, PathNamespace))
        {
            return false;
        }
        return Arg0 is null || Arg0 == FirstStringArgument(message);
    }

    /// <summary>The rule in bus syntax, e.g. <c>type='signal',interface='a.b'</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("type='signal'");
        Append(builder, "sender", Sender);
        Append(builder, "interface", Interface);
        Append(builder, "member", Member);
        Append(builder, "path", Path);
        Append(builder, "path_namespace", PathNamespace);
        Append(builder, "destination", Destination);
        Append(builder, "arg0", Arg0);
        return builder.ToString();
    }

    private static bool IsInNamespace(string? path, string space) =>
        path is not null && (space == "/" || path == space || path.StartsWith(space + "/", StringComparison.Ordinal));

    private static string? FirstStringArgument(Message message)
    {
        if (!message.Signature.StartsWith('s'))
        {
            return null;
        }
        return message.GetBodyReader().ReadString();
    }

    // Match rule values are quoted with '; a literal ' is written as '\'' (close, escaped, reopen).
    private static void Append(StringBuilder builder, string key, string? value)
    {
        if (value is not null)
        {
            builder.Append(',').Append(key).Append("='").Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }
    }
}
