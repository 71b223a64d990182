using System.Diagnostics;
using Concierge.Vmm;
using Concierge.Vmm.Images;

namespace Concierge.Bench.Boot;

/// <summary>Boots our in-process monitor and times it from VmBuilder to the /init marker and the guest's power-off.</summary>
internal static class MonitorBoot
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static async Task<BootSample> RunAsync(BenchOptions options)
    {
        var clock = Stopwatch.StartNew();
        var spec = Spec(options, options.Initrd);
        await using var vm = new VmBuilder(spec).Build();
        var init = MarkerSeen(vm);
        vm.Start();
        var toInit = await init.WaitAsync(Timeout).ContinueWith(task => task.IsCompletedSuccessfully ? clock.Elapsed : (TimeSpan?)null);
        var exit = await vm.WaitForExitAsync().WaitAsync(Timeout).ContinueWith(task => task.IsCompletedSuccessfully ? task.Result : null);
        return new BootSample(toInit, exit is null ? null : clock.Elapsed, exit?.Reason.ToString() ?? "no exit");
    }

    /// <summary>Boots with the idle initramfs and returns the process RSS growth and the guest's resident RAM at /init.</summary>
    public static async Task<(long GrowthKiB, long GuestKiB)> MeasureMemoryAsync(BenchOptions options)
    {
        var pid = Environment.ProcessId;
        var before = MemoryUse.Read(pid, options.MemoryMiB).TotalKiB;
        var spec = Spec(options, options.IdleInitrd);
        await using var vm = new VmBuilder(spec).Build();
        var init = MarkerSeen(vm);
        vm.Start();
        await init.WaitAsync(Timeout);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (total, guest) = MemoryUse.Read(pid, options.MemoryMiB);
        await vm.StopAsync();
        return (total - before, guest);
    }

    private static VmSpec Spec(BenchOptions options, string initrd) =>
        new(ImageFile.Open(options.Kernel, writable: false), ImageFile.Open(initrd, writable: false), options.Vcpus, options.MemoryMiB, options.CommandLine);

    private static Task MarkerSeen(VirtualMachine vm)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        vm.Console.LineReceived += line =>
        {
            if (line.Contains(BenchOptions.Marker, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        };
        return seen.Task;
    }
}
