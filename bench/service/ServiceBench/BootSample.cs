using System.Text;
using System.Text.RegularExpressions;
using Concierge.Client;
using Concierge.Service.Protocol;
using Tmds.DBus.Protocol;

namespace Concierge.Bench.Service;

/// <summary>
/// One StartVm of the built-in guest, from the call to the guest's hello, with every mark on the
/// host's wall clock (µs since the epoch). Guest-clock marks are placed on the host clock through
/// <see cref="GuestZeroUsec"/>: the host time at which the guest's clock read 0, from one Exec of
/// <c>cat /proc/uptime</c> (its round trip midpoint; error at most half of <see cref="ExecRoundTripUsec"/>).
/// </summary>
internal sealed record BootSample(
    string Name,
    long SendUsec,
    long ReplyUsec,
    long RunStartedUsec,
    long? MonitorStartedUsec,
    long HelloUsec,
    long SignalUsec,
    long GuestZeroUsec,
    long ExecRoundTripUsec,
    GuestTimeline Guest)
{
    public static async Task<BootSample> RunAsync(ConciergeClient client, ServiceProcess service, string name, TimeSpan timeout)
    {
        var started = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = await client.ChromeOs.WatchLifecycleAsync(e =>
        {
            if (e.Name != name)
            {
                return;
            }
            if (e.Kind == VmLifecycleEventKind.Started)
            {
                started.TrySetResult(Clock.NowUsec());
            }
            else if (e.Kind == VmLifecycleEventKind.Stopped)
            {
                // A guest that fails before its hello (seen: a triple fault) ends the sample at once.
                started.TrySetException(new InvalidOperationException($"VM {name} stopped before its hello: {e}"));
            }
        });

        var call = Bus.ChromeOsCall("StartVm", new StartVmRequest { Name = name, Timeout = (uint)timeout.TotalSeconds, MemoryMib = ServiceRun.GuestMiB });
        var send = Clock.NowUsec();
        var payload = await call.CallAsync(client.Connection, Bus.ServiceName, Bus.ReadPayload);
        var replied = Clock.NowUsec();
        var response = StartVmResponse.Parser.ParseFrom(payload);
        if (!response.Success)
        {
            throw new InvalidOperationException($"StartVm {name} failed: {response.FailureReason}");
        }
        Console.Error.WriteLine($"bench:   {name}: StartVm replied after {(replied - send) / 1000.0:F1} ms");
        var signal = await started.Task.WaitAsync(timeout);
        Console.Error.WriteLine($"bench:   {name}: VmStartedSignal after {(signal - send) / 1e6:F1} s");
        var info = await GetVmInfoAsync(client.Connection, name);

        var vm = await client.Manager.GetVmAsync(name);
        var execStart = Clock.NowUsec();
        using var execTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var exec = await vm.ExecAsync(GuestTimeline.Command, execTimeout.Token);
        var execEnd = Clock.NowUsec();
        var guest = GuestTimeline.Parse(Encoding.UTF8.GetString(exec.StandardOutput));
        if (exec.ExitCode != 0)
        {
            Console.Error.WriteLine($"bench: guest exec exited {exec.ExitCode}: {Encoding.UTF8.GetString(exec.StandardError)}");
        }
        return new BootSample(name, send, replied, info.StartedUsec,
            service.FirstLineAt(new Regex($@"VM {Regex.Escape(name)} monitor started")),
            info.StartedUsec + info.BootDurationUsec, signal,
            ((execStart + execEnd) / 2) - (long)(guest.UptimeS * 1e6), execEnd - execStart, guest);
    }

    public static async Task<VmInfo> GetVmInfoAsync(DBusConnection connection, string name)
    {
        var response = GetVmInfoResponse.Parser.ParseFrom(
            await Bus.ChromeOsCall("GetVmInfo", new GetVmInfoRequest { Name = name }).CallAsync(connection, Bus.ServiceName, Bus.ReadPayload));
        return response.Success ? response.VmInfo : throw new InvalidOperationException($"GetVmInfo {name}: {response.FailureReason}");
    }

    /// <summary>Host time of a guest-clock mark.</summary>
    public long? OnHost(double? guestSeconds) => guestSeconds is { } s ? GuestZeroUsec + (long)(s * 1e6) : null;

    /// <summary>The phases in milliseconds (null when a mark is missing), in order; they add up to StartVm sent → hello.</summary>
    public IReadOnlyList<(string Phase, double? Ms)> Phases()
    {
        var runInit = OnHost(Guest.RunInitS);
        return
        [
            ("D-Bus: StartVm call → reply at the client", Ms(SendUsec, ReplyUsec)),
            ("service: StartVm sent → run started (VmInfo.started_usec)", Ms(SendUsec, RunStartedUsec)),
            ("build: run started → monitor started (log line)", Ms(RunStartedUsec, MonitorStartedUsec)),
            ("kernel boot: monitor started → guest runs /init", Ms(MonitorStartedUsec, runInit)),
            ("guest init: /init → hello handled (started_usec + boot_duration_usec)", Ms(runInit, HelloUsec)),
            ("total: StartVm sent → hello handled", Ms(SendUsec, HelloUsec)),
        ];
    }

    /// <summary>Finer marks inside the kernel and init phases.</summary>
    public IReadOnlyList<(string Phase, double? Ms)> Details() =>
    [
        ("kernel before the guest clock starts (entry, decompression, early setup)", Ms(MonitorStartedUsec, GuestZeroUsec)),
        ("kernel on the guest clock: 0 → \"Run /init\"", Guest.RunInitS * 1000),
        ("init: \"Run /init\" → init's first log line (NativeAOT start)", Ms(OnHost(Guest.RunInitS), OnHost(Guest.InitStartingS))),
        ("init: first log line → host link connected (modules, mounts, container)", Ms(OnHost(Guest.InitStartingS), OnHost(Guest.LinkConnectedS))),
        ("link connected → hello handled by the service", Ms(OnHost(Guest.LinkConnectedS), HelloUsec)),
        ("hello handled → VmStartedSignal at the client", Ms(HelloUsec, SignalUsec)),
        ("guest clock placement error bound (half the Exec round trip)", ExecRoundTripUsec / 2000.0),
    ];

    private static double? Ms(long? from, long? to) => from is { } f && to is { } t ? (t - f) / 1000.0 : null;
}
