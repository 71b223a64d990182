using System.Diagnostics;
using System.Security;

namespace Concierge.Tests.TestSupport;

/// <summary>
/// A private dbus-daemon for tests: writes its own config into a fresh temp directory (listening on
/// a unix socket there), starts <c>dbus-daemon --config-file=... --print-address</c>, and kills it and
/// removes the directory on dispose. <see cref="BusPolicy.Permissive"/> (the default) lets the test
/// user own any name and send or eavesdrop anything; <see cref="BusPolicy.SystemDefaults"/> starts
/// from the system bus's default policy (no one may own names or make method calls except to the
/// bus itself) so a real policy file passed as extra XML (<c>&lt;include&gt;/path/x.conf&lt;/include&gt;</c>)
/// can be tested.
/// </summary>
public sealed class PrivateBus : IAsyncDisposable
{
    private readonly Process _daemon;

    private PrivateBus(Process daemon, string directory, string address)
    {
        _daemon = daemon;
        Directory = directory;
        Address = address;
    }

    /// <summary>The bus address printed by the daemon (unix:path=...,guid=...).</summary>
    public string Address { get; }

    /// <summary>The temp directory holding the config and the socket.</summary>
    public string Directory { get; }

    /// <summary>The daemon's config file.</summary>
    public string ConfigPath => Path.Combine(Directory, "bus.conf");

    /// <summary>The daemon's pid (tests that kill the bus use it).</summary>
    public int ProcessId => _daemon.Id;

    /// <summary>The policy the config starts from, before the extra XML.</summary>
    public enum BusPolicy
    {
        /// <summary>Everything allowed: own any name, send anything, eavesdrop.</summary>
        Permissive,

        /// <summary>
        /// The system bus defaults: anyone may connect, send signals and requested replies and talk
        /// to the bus; nobody may own names or send method calls to other peers.
        /// </summary>
        SystemDefaults,
    }

    /// <summary>Starts a daemon; <paramref name="extraConfig"/> is inserted verbatim inside &lt;busconfig&gt;, after the base policy.</summary>
    public static async Task<PrivateBus> StartAsync(string extraConfig = "", BusPolicy basePolicy = BusPolicy.Permissive)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("concierge-bus-").FullName;
        // rwxr-xr-x: peers started under other uids (setpriv, runuser) must reach the socket.
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var socket = SecurityElement.Escape(Path.Combine(directory, "bus"));
        var policy = basePolicy == BusPolicy.Permissive
            ? """
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_destination="*" eavesdrop="true"/>
                <allow receive_sender="*"/>
                <allow eavesdrop="true"/>
              </policy>
              """
            : """
              <policy context="default">
                <allow user="*"/>
                <deny own="*"/>
                <deny send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_requested_reply="true" send_type="method_return"/>
                <allow send_requested_reply="true" send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Peer"/>
                <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
              </policy>
              """;
        var config = $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>{(basePolicy == BusPolicy.Permissive ? "session" : "system")}</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              {policy}
              {extraConfig}
            </busconfig>
            """;
        var configPath = Path.Combine(directory, "bus.conf");
        await File.WriteAllTextAsync(configPath, config);
        var start = new ProcessStartInfo("dbus-daemon")
        {
            ArgumentList = { $"--config-file={configPath}", "--print-address", "--nofork", "--nopidfile", "--nosyslog" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var daemon = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var address = await daemon.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrEmpty(address))
        {
            var error = await daemon.StandardError.ReadToEndAsync(timeout.Token);
            daemon.Kill();
            daemon.Dispose();
            throw new InvalidOperationException($"dbus-daemon printed no address: {error}");
        }
        return new PrivateBus(daemon, directory, address.Trim());
    }

    /// <summary>Kills the daemon and deletes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_daemon.HasExited)
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync();
        }
        _daemon.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
