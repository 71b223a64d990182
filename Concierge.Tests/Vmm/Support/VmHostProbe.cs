using Concierge.Vmm;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Support;

/// <summary>
/// What a real-KVM test looks at from the host side: the vCPU threads of this process, the KVM
/// fds it holds, and a wait that shows the guest's console when it times out.
/// </summary>
public static class VmHostProbe
{
    /// <summary>Threads of this process named vcpuN (one per running or parked vCPU).</summary>
    public static int VcpuThreadCount() => Directory.GetDirectories("/proc/self/task").Count(IsVcpuThread);

    /// <summary>
    /// What the process's fds point at, after finalizers ran. Compare only the KVM ones
    /// (<see cref="IsKvmFd"/>): the runtime opens fds of its own lazily (seen: two more in the
    /// merged suite than alone), which are not the VM's to close.
    /// </summary>
    public static List<string> SettledOpenFds()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var targets = new List<string>();
        foreach (var fd in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                targets.Add(new FileInfo(fd).LinkTarget ?? "?");
            }
            catch (IOException)
            {
                // The fd closed while we looked (the enumeration's own fd, for one).
            }
        }
        return targets;
    }

    /// <summary>Whether an fd target is /dev/kvm or a KVM anonymous inode (VM, vCPU).</summary>
    public static bool IsKvmFd(string target) => target == "/dev/kvm" || target.StartsWith("anon_inode:kvm", StringComparison.Ordinal);

    /// <summary>After a VM was disposed: its vCPU threads are joined and every KVM fd it opened (beyond <paramref name="fdsBefore"/>, from <see cref="SettledOpenFds"/>) is closed.</summary>
    public static void AssertVmReleased(IReadOnlyCollection<string> fdsBefore)
    {
        Assert.That(VcpuThreadCount(), Is.Zero, "vCPU threads are joined");
        var fdsAfter = SettledOpenFds();
        Assert.That(fdsAfter.Where(IsKvmFd), Is.EquivalentTo(fdsBefore.Where(IsKvmFd)),
            $"every KVM fd the VM opened is closed; all fds before: {string.Join(", ", fdsBefore)}; after: {string.Join(", ", fdsAfter)}");
    }

    /// <summary>Awaits <paramref name="task"/>; fails with <paramref name="what"/> and the console so far after <paramref name="timeout"/>.</summary>
    public static async Task<T> WithConsoleOnTimeout<T>(Task<T> task, VirtualMachine vm, TimeSpan timeout, string what)
    {
        await WithConsoleOnTimeout((Task)task, vm, timeout, what);
        return await task;
    }

    /// <inheritdoc cref="WithConsoleOnTimeout{T}"/>
    public static async Task WithConsoleOnTimeout(Task task, VirtualMachine vm, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(vm);
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task)
        {
            Assert.Fail($"{what} within {timeout}; console so far:\n{vm.Console.RecentOutput}");
        }
        await task;
    }

    private static bool IsVcpuThread(string taskDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(taskDirectory, "comm")).StartsWith("vcpu", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false; // the thread ended while we looked
        }
    }
}
