using System.Text;

namespace Concierge.Guest.Native;

/// <summary>Sets the host name of the current UTS namespace.</summary>
internal static class HostName
{
    public static void Set(string hostname)
    {
        var bytes = Encoding.UTF8.GetBytes(hostname);
        NativeCallException.ThrowIfFailed(Libc.Sethostname(bytes, (nuint)bytes.Length), $"set hostname {hostname}");
    }
}
