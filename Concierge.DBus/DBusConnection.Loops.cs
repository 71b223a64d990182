using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>The read thread (routing), the dispatch loop (handlers, signals), and closing.</summary>
public sealed partial class DBusConnection
{
    private void Start()
    {
        var thread = new Thread(ReadLoop) { IsBackground = true, Name = "D-Bus read loop" };
        thread.Start();
        _dispatchLoop = Task.Run(DispatchLoopAsync);
    }

    private void ReadLoop()
    {
        try
        {
            while (true)
            {
                var message = _stream.ReadMessage();
                if (message is null)
                {
                    Close(new DBusConnectionClosedException("the peer closed the connection"));
                    return;
                }
                Route(message);
            }
        }
        catch (Exception ex)
        {
            // Protocol violations and socket errors end the connection; callers see why.
            Close(new DBusConnectionClosedException($"connection lost: {ex.Message}", ex));
        }
        finally
        {
            _stream.DiscardFds();
            _readLoopDone.TrySetResult();
        }
    }

    private void Route(Message message)
    {
        switch (message.Type)
        {
            case MessageType.MethodReturn or MessageType.Error:
                if (!_pending.TryComplete(message))
                {
                    message.Dispose();
                }
                break;
            case MessageType.MethodCall or MessageType.Signal:
                if (!_dispatchQueue.Writer.TryWrite(message))
                {
                    // Closing: nobody will handle it, so release its fds now.
                    message.Dispose();
                }
                break;
            default:
                // Unknown message types are ignored, as the spec requires.
                message.Dispose();
                break;
        }
    }

    private async Task DispatchLoopAsync()
    {
        await foreach (var message in _dispatchQueue.Reader.ReadAllAsync())
        {
            var keep = false;
            try
            {
                keep = message.Type == MessageType.MethodCall
                    ? await _calls.DispatchAsync(message)
                    : DeliverSignal(message);
            }
            catch (Exception ex) when (!Disconnected.IsCompleted)
            {
                ReportHandlerFailure(ex);
            }
            catch (Exception)
            {
                // The connection closed under the handler: there is nobody left to answer.
            }
            finally
            {
                if (!keep)
                {
                    message.Dispose();
                }
            }
        }
    }

    private void Close(DBusConnectionClosedException reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _transport.Shutdown();
        _pending.FailAll(reason);
        _dispatchQueue.Writer.TryComplete();
        CompleteSignalWatchers();
        _disconnected.TrySetResult(reason);
        _closing.Cancel();
    }
}
