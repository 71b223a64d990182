namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// The one thread a virtio device does its work on. It sleeps on the device's busiest queue's
/// doorbell when the transport offers one (the guest's kick then wakes it directly), else on an
/// event that vCPU and relay threads set. Wake-ups coalesce; the loop runs <c>work</c> after each
/// until stopped. While paused it runs no pass; the wake-ups that arrive meanwhile are kept for
/// the first pass after <see cref="Resume"/>.
/// </summary>
internal sealed class DeviceWorker : IDisposable
{
    // Barely spin before sleeping: the worker shares the cores with the vCPUs it serves, and a
    // wake-up is a doorbell or a host stream that may be long in coming.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
    private readonly Thread _thread;
    private readonly Action<Func<bool>> _work;
    private readonly Action<string> _doorbellFailed;
    // Set while not paused; the thread waits on it before each pass.
    private readonly ManualResetEventSlim _unpaused = new(true);
    // Held for the length of each pass, so that Pause can wait out the one under way.
    private readonly Lock _pass = new();
    private volatile IQueueDoorbell? _doorbell;
    private volatile bool _stopping;

    /// <summary>
    /// Starts the thread; <paramref name="work"/> gets a "should I stop" probe to bound long passes.
    /// <paramref name="doorbell"/>, if given, must stay usable until this worker is disposed; if it
    /// fails, the thread calls <paramref name="doorbellFailed"/> with the reason (kicks on it are
    /// lost from then on) and sleeps on its event instead.
    /// </summary>
    public DeviceWorker(string name, Action<Func<bool>> work, IQueueDoorbell? doorbell = null, Action<string>? doorbellFailed = null)
    {
        _work = work;
        _doorbell = doorbell;
        _doorbellFailed = doorbellFailed ?? (_ => { });
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
        Wake();
    }

    /// <summary>Asks the thread for another pass (cheap; safe from any thread, also after a reset stopped the worker).</summary>
    public void Wake()
    {
        try
        {
            // Both, always: after a doorbell failure the thread sleeps on the event instead.
            _wake.Set();
            _doorbell?.Ring();
        }
        catch (ObjectDisposedException)
        {
            // A doorbell raced with reset: the stopped worker has nothing left to do.
        }
#pragma warning disable CA1031 // A failing doorbell must not escape into a vCPU or host thread; Run notices it too.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Stops passes: returns once the pass under way (asked to stop early) has ended, and none
    /// starts until <see cref="Resume"/>. Call it from a host thread, never from the worker's own.
    /// </summary>
    public void Pause()
    {
        _unpaused.Reset();
        // Taking the pass lock waits out the pass under way; the next one sees the pause.
        _pass.Enter();
        _pass.Exit();
    }

    /// <summary>Lets passes run again, starting with one for whatever arrived while paused.</summary>
    public void Resume()
    {
        _unpaused.Set();
    }

    /// <summary>Stops the thread (also a paused one) and waits for its current pass to end.</summary>
    public void Dispose()
    {
        _stopping = true;
        _unpaused.Set();
        Wake();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
        _wake.Dispose();
        _unpaused.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            Sleep();
            while (true)
            {
                _unpaused.Wait();
                if (_stopping)
                {
                    return;
                }
                lock (_pass)
                {
                    // Paused between the wait and the lock: wait again, the wake-up is not lost.
                    if (!_unpaused.IsSet)
                    {
                        continue;
                    }
                    _work(() => _stopping || !_unpaused.IsSet);
                }
                break;
            }
        }
    }

    private void Sleep()
    {
        if (_doorbell is { } doorbell)
        {
            try
            {
                doorbell.Wait();
                // The event is only a fallback here: keep it from piling up a stale wake-up.
                _wake.Reset();
                return;
            }
#pragma warning disable CA1031 // The thread must survive a failing doorbell: the device reports it (kicks on that doorbell are lost).
            catch (Exception failure)
#pragma warning restore CA1031
            {
                _doorbell = null;
                _doorbellFailed(failure.Message);
                return;
            }
        }
        _wake.Wait();
        // Reset before the pass: a wake-up during the pass is kept for the next one.
        _wake.Reset();
    }
}
