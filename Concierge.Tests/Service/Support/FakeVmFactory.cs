using System.Threading.Channels;
using Concierge.Service.Supervision;

namespace Concierge.Tests.Service.Support;

/// <summary>Makes <see cref="FakeVm"/>s, letting a test configure each and wait for the next one.</summary>
internal sealed class FakeVmFactory : IVmInstanceFactory
{
    private readonly Channel<FakeVm> _created = Channel.CreateUnbounded<FakeVm>();
    private readonly Lock _lock = new();
    private readonly List<FakeVm> _all = [];

    /// <summary>Applied to each new instance before the supervisor sees it.</summary>
    public Action<FakeVm>? Configure { get; set; }

    /// <summary>When set, Create throws it.</summary>
    public Exception? CreateFailure { get; set; }

    public int CreatedCount
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    public IVmInstance Create(VmLaunch launch)
    {
        if (CreateFailure is not null)
        {
            throw CreateFailure;
        }
        var vm = new FakeVm(launch);
        Configure?.Invoke(vm);
        lock (_lock)
        {
            _all.Add(vm);
        }
        _created.Writer.TryWrite(vm);
        return vm;
    }

    /// <summary>The next instance created (in creation order).</summary>
    public async Task<FakeVm> NextAsync() => await _created.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
}
