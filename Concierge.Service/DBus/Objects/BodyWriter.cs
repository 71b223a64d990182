using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>Writes a message body after its header (a reply's or a signal's).</summary>
public delegate void BodyWriter(ref MessageWriter writer);

/// <summary>Replies built from a signature and a <see cref="BodyWriter"/>.</summary>
public static class Reply
{
    /// <summary>Sends the method return of <paramref name="context"/> with a body of type <paramref name="signature"/>.</summary>
    public static void With(MethodContext context, string signature, BodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        var writer = context.CreateReplyWriter(signature);
        try
        {
            body(ref writer);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Sends an empty method return.</summary>
    public static void Empty(MethodContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }

    /// <summary>Writes <c>a{sv}</c> from <paramref name="properties"/>.</summary>
    public static void WriteProperties(ref MessageWriter writer, IEnumerable<KeyValuePair<string, VariantValue>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var map = writer.WriteDictionaryStart();
        foreach (var (name, value) in properties)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteVariant(value);
        }
        writer.WriteDictionaryEnd(map);
    }
}
