using Concierge.Contracts;
using System.Diagnostics;
using Concierge.Client;
using Concierge.Service.Protocol;

namespace Concierge.Bench.Service;

/// <summary>
/// The whole bench in one service lifetime: memory with no VM, BOOTS timed boots (memory after
/// each), list/info latency with 1 registered VM, fillers started and stopped up to REGISTERED
/// registered VMs, list/info latency again, then SIGTERM.
/// </summary>
internal static class ServiceRun
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(8);

    /// <summary>Guest RAM of every VM the bench starts (the service's default is 512 MiB).</summary>
    public const ulong GuestMiB = 256;

    public sealed record Options(string Address, string ServiceExecutable, string ImageDirectory, int Boots, int Registered, int Calls, string Output);

    public static async Task<int> RunAsync(Options options)
    {
        var work = Directory.CreateTempSubdirectory("service-bench-").FullName;
        var state = Directory.CreateDirectory(Path.Combine(work, "state")).FullName;
        var report = new Report { MemoryMiB = GuestMiB };
        await using var service = await ServiceProcess.StartAsync(options.ServiceExecutable, options.Address, state, options.ImageDirectory);
        await using var client = await ConciergeClient.ConnectAsync(options.Address);
        var connection = client.Connection;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            report.Memory.Add(("service idle, no VM", 0, MemoryUse.Read(service.ProcessId, 0)));
            ulong memoryMiB = 0;
            for (var i = 1; i <= options.Boots; i++)
            {
                Console.Error.WriteLine($"bench: boot {i}/{options.Boots}");
                var sample = await BootSample.RunAsync(client, service, $"bench-{i}", BootTimeout);
                report.Boots.Add(sample);
                memoryMiB = (await BootSample.GetVmInfoAsync(connection, sample.Name)).MemoryMib;
                // Let the idle guest settle (heartbeats only) before reading the service's memory.
                await Task.Delay(TimeSpan.FromSeconds(5));
                report.Memory.Add(($"{i} running", i, MemoryUse.Read(service.ProcessId, memoryMiB)));
                await report.SaveAsync(options.Output);
                if (i == 1)
                {
                    Console.Error.WriteLine("bench: latency with 1 registered VM");
                    report.Latency.Add((1, await LatencyRun.MeasureAsync(connection, options.Address, client.Uid, options.Calls)));
                }
            }

            Console.Error.WriteLine($"bench: registering up to {options.Registered} VMs (StartVm + StopVm)");
            for (var i = options.Boots + 1; i <= options.Registered; i++)
            {
                report.FillerStarts.Add(await Latency.TimeAsync(() => ChromeOsAsync(client, "StartVm", new StartVmRequest { Name = $"filler-{i}", MemoryMib = GuestMiB })));
                report.FillerStops.Add(await Latency.TimeAsync(() => ChromeOsAsync(client, "StopVm", new StopVmRequest { Name = $"filler-{i}" })));
                if (i % 10 == 0)
                {
                    Console.Error.WriteLine($"bench:   {i} registered");
                }
            }
            await report.SaveAsync(options.Output);
            var registered = (await client.ChromeOs.ListVmsAsync()).Count;
            Console.Error.WriteLine($"bench: latency with {registered} registered VMs");
            report.Latency.Add((registered, await LatencyRun.MeasureAsync(connection, options.Address, client.Uid, options.Calls)));
            report.Memory.Add(($"{options.Boots} running + {registered - options.Boots} started and stopped", options.Boots, MemoryUse.Read(service.ProcessId, memoryMiB)));

            var stopping = Stopwatch.StartNew();
            var exitCode = await service.TerminateAsync(TimeSpan.FromMinutes(3));
            report.Shutdown = (stopping.Elapsed, exitCode);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench: failed: {e}\n--- service output ---\n{service.Output}");
            report.Failure = e.Message;
        }
        await report.SaveAsync(options.Output);
        Directory.Delete(work, recursive: true);
        return report.Failure is null ? 0 : 1;
    }

    /// <summary>The calls whose latency is compared with the peer's, as user <paramref name="uid"/> sees them.</summary>
    public static CallShape[] LatencyShapes(uint uid) =>
    [
        Bus.ChromeOsCall("ListVms", new ListVmsRequest()),
        Bus.ChromeOsCall("GetVmInfo", new GetVmInfoRequest { Name = "bench-1" }),
        Bus.TypedListVms(),
        Bus.TypedGetAll(VmObjectPath.For("bench-1", uid)),
    ];

    private static async Task ChromeOsAsync(ConciergeClient client, string member, Google.Protobuf.IMessage request)
    {
        var response = SuccessFailureResponse.Parser.ParseFrom(await Bus.ChromeOsCall(member, request).CallAsync(client.Connection, Bus.ServiceName, Bus.ReadPayload));
        if (!response.Success)
        {
            throw new InvalidOperationException($"{member} failed: {response.FailureReason}");
        }
    }

}
