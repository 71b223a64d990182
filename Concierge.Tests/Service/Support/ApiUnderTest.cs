using Concierge.Service.Api;
using Concierge.Service.Registry;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;

namespace Concierge.Tests.Service.Support;

/// <summary>
/// The service's API as the hosted service composes it (registry, manager, definitions, image
/// policy over a temporary state and image directory), over fake VMs and without a bus.
/// </summary>
internal sealed class ApiUnderTest : IAsyncDisposable
{
    private readonly TempDirectory _root = new();

    public ApiUnderTest()
    {
        ImageDirectory = Directory.CreateDirectory(Path.Combine(_root.Path, "images")).FullName;
        File.WriteAllText(Path.Combine(ImageDirectory, VmDefinitionBuilder.DefaultKernelName), "a kernel");
        var layout = new StorageLayout(Path.Combine(_root.Path, "state"));
        var disks = new DiskImageStore(layout);
        Registry = VmRegistry.Open(layout, disks, TimeProvider.System, Logs.CreateLogger(), out _);
        Vms = new VmManager(Registry, layout, Factory, new SupervisorOptions(), TimeProvider.System, Logs.CreateLogger());
        Api = new ConciergeApi(Vms, disks, new VmDefinitionBuilder(new ImagePathPolicy(layout, ImageDirectory)), layout);
    }

    public FakeVmFactory Factory { get; } = new();

    public CollectingSink Logs { get; } = new();

    public string ImageDirectory { get; }

    public VmRegistry Registry { get; }

    public VmManager Vms { get; }

    public ConciergeApi Api { get; }

    /// <summary>Starts <paramref name="name"/> of uid 1000 and lets its fake guest say hello; returns it running.</summary>
    public async Task<FakeVm> StartRunningAsync(string name)
    {
        var owner = new Caller(1000);
        Api.Start(owner, owner.Uid, name, new VmStartRequest(), out _);
        var vm = await Factory.NextAsync();
        await vm.HelloAsync();
        if (!await Vms.SupervisorsRespondAsync(TimeSpan.FromSeconds(30)) || Api.Get(owner, VmKey.Create(owner.Uid, name)).Status.State != VmState.Running)
        {
            throw new InvalidOperationException($"VM {name} did not reach running after its hello");
        }
        return vm;
    }

    public async ValueTask DisposeAsync()
    {
        await Vms.DisposeAsync();
        _root.Dispose();
    }
}
