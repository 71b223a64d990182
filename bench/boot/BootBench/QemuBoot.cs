using System.Diagnostics;

namespace Concierge.Bench.Boot;

/// <summary>Boots QEMU with KVM on the same kernel, initramfs, memory and vCPUs; times process start to the /init marker and to exit.</summary>
internal static class QemuBoot
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string[] Arguments(BenchOptions options, string machine, string initrd) =>
    [
        "-accel", "kvm", "-M", machine, "-m", $"{options.MemoryMiB}", "-smp", $"{options.Vcpus}",
        "-kernel", options.Kernel, "-initrd", initrd, "-append", options.CommandLine,
        "-nographic", "-no-reboot",
    ];

    public static async Task<BootSample> RunAsync(BenchOptions options, string machine)
    {
        var clock = Stopwatch.StartNew();
        using var process = Start(Arguments(options, machine, options.Initrd));
        var init = MarkerSeen(process);
        var toInit = await init.WaitAsync(Timeout).ContinueWith(task => task.IsCompletedSuccessfully ? clock.Elapsed : (TimeSpan?)null);
        var exited = await process.WaitForExitAsync().WaitAsync(Timeout).ContinueWith(task => task.IsCompletedSuccessfully);
        var toExit = exited ? clock.Elapsed : (TimeSpan?)null;
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }
        return new BootSample(toInit, toExit, exited ? $"exit status {process.ExitCode}" : "killed after timeout");
    }

    /// <summary>QEMU's RSS at /init (idle initramfs), and the part in its guest RAM mapping.</summary>
    public static async Task<(long TotalKiB, long GuestKiB)> MeasureMemoryAsync(BenchOptions options, string machine)
    {
        using var process = Start(Arguments(options, machine, options.IdleInitrd));
        try
        {
            await MarkerSeen(process).WaitAsync(Timeout);
            await Task.Delay(TimeSpan.FromSeconds(2));
            return MemoryUse.Read(process.Id, options.MemoryMiB);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static Process Start(string[] arguments)
    {
        var start = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start qemu-system-x86_64");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static Task MarkerSeen(Process process)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains(BenchOptions.Marker, StringComparison.Ordinal) == true)
            {
                seen.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        return seen.Task;
    }
}
