namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// The one thread a virtio device does its work on, so vCPU threads only post a wake-up when the
/// guest notifies a queue. Wake-ups coalesce; the loop runs <c>work</c> after each until stopped.
/// </summary>
internal sealed class DeviceWorker : IDisposable
{
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private readonly Action<Func<bool>> _work;
    private volatile bool _stopping;

    /// <summary>Starts the thread; <paramref name="work"/> gets a "should I stop" probe to bound long passes.</summary>
    public DeviceWorker(string name, Action<Func<bool>> work)
    {
        _work = work;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
        Wake();
    }

    /// <summary>Asks the thread for another pass (cheap; safe from any thread, also after a reset stopped the worker).</summary>
    public void Wake()
    {
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // A doorbell raced with reset: the stopped worker has nothing left to do.
        }
    }

    /// <summary>Stops the thread and waits for its current pass to end.</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
        _wake.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            _wake.Wait();
            if (_stopping)
            {
                return;
            }
            // Reset before the pass: a wake-up during the pass is kept for the next one.
            _wake.Reset();
            _work(() => _stopping);
        }
    }
}
