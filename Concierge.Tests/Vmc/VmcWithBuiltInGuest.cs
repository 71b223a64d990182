using Concierge.Tests.Guest.Kvm;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Vmc;

/// <summary>
/// The real service on a private bus with its own state directory, booting the built-in guest,
/// and vmc pointed at it: the setting of the Kvm tests that drive VMs as a person would.
/// Disposing it stops the service, the bus and deletes the state.
/// </summary>
public sealed class VmcWithBuiltInGuest : IAsyncDisposable
{
    private readonly DirectoryInfo _state;

    private VmcWithBuiltInGuest(PrivateBus bus, DirectoryInfo state, ConciergeProcess service)
    {
        Bus = bus;
        _state = state;
        Service = service;
    }

    public PrivateBus Bus { get; }

    public ConciergeProcess Service { get; }

    /// <summary>Starts the bus and the service; fails (never skips) when the guest is not built.</summary>
    public static async Task<VmcWithBuiltInGuest> StartAsync(string stateDirectoryPrefix)
    {
        RepoPaths.RequireFile(Path.Combine(BuiltInGuest.Directory, "initramfs.cpio.gz"), "guest/build.sh");
        var bus = await PrivateBus.StartAsync();
        var state = Directory.CreateTempSubdirectory(stateDirectoryPrefix);
        var service = await ConciergeProcess.StartAsync(bus.Address, state.FullName, BuiltInGuest.Directory);
        return new VmcWithBuiltInGuest(bus, state, service);
    }

    /// <summary>vmc COMMAND --address BUS ARGS...: the address goes before the arguments, where exec's "--" cannot swallow it.</summary>
    public Task<VmcRun> Vmc(params string[] args) => VmcRun.RunAsync([args[0], "--address", Bus.Address, .. args[1..]]);

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Bus.DisposeAsync();
        _state.Delete(recursive: true);
    }
}
