using System.Text;

namespace Concierge.DBus.Protocol;

/// <summary>UTF-8 that throws on invalid sequences in both directions, as D-Bus strings must be valid.</summary>
internal static class StrictUtf8
{
    public static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
