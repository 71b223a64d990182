using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using Google.Protobuf;
using Tmds.DBus.Protocol;

namespace Concierge.Tests.Service.Api;

/// <summary>Test-side callers of the service: our D-Bus client with protobufs, and busctl as root or another uid.</summary>
public static class ApiClient
{
    public const string Root = "/org/chromium/VmConcierge";
    public const string ChromeOs = "org.chromium.VmConcierge";
    public const string Manager = "org.chromium.VmConcierge.Manager";
    public const string Vm = "org.chromium.VmConcierge.Vm";

    /// <summary>Calls a Chrome OS face method with a protobuf request and parses the response.</summary>
    public static async Task<TResponse> CallAsync<TResponse>(DBusConnection bus, string member, IMessage request, MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse>
    {
        var bytes = request.ToByteArray();
        var reply = await bus.CallAsync(ConciergeProcess.BusName, Root, ChromeOs, member, "ay", (ref MessageWriter w) => w.WriteArray(bytes),
            static (message, _) => message.GetBodyReader().ReadArrayOfByte()).WaitAsync(TimeSpan.FromSeconds(120));
        return parser.ParseFrom(reply);
    }

    /// <summary>Runs busctl against the service's bus, optionally as <paramref name="user"/> (via setpriv).</summary>
    public static async Task<CommandResult> BusctlAsync(string address, string? user, params string[] arguments)
    {
        // busctl gives up on a method call after 25 s by default; a loaded machine (an fsync behind a
        // build's dirty pages) has taken longer. The process timeout below is the bound.
        string[] busctl = ["busctl", "--address=" + address, "--timeout=100", .. arguments];
        if (user is null)
        {
            return await Command.RunAsync(busctl[0], busctl[1..], TimeSpan.FromSeconds(120));
        }
        return await AsUser.RunAsync(user, busctl[0], busctl[1..], TimeSpan.FromSeconds(120));
    }

    /// <summary>busctl call on the root object's Manager interface.</summary>
    public static Task<CommandResult> ManagerAsync(string address, string? user, string member, params string[] arguments) =>
        BusctlAsync(address, user, ["call", ConciergeProcess.BusName, Root, Manager, member, .. arguments]);

    /// <summary>Parses busctl's text for an <c>ay</c> reply ("ay 3 1 2 3") into bytes.</summary>
    public static byte[] ParseBusctlBytes(string output)
    {
        var parts = output.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "ay")
        {
            throw new FormatException($"not an ay reply: {output}");
        }
        var count = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return [.. parts.Skip(2).Take(count).Select(p => byte.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>busctl arguments for an <c>ay</c> holding <paramref name="message"/>.</summary>
    public static string[] BusctlBytes(IMessage message)
    {
        var bytes = message.ToByteArray();
        return ["ay", bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. bytes.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }
}
