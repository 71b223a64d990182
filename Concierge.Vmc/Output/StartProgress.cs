using Concierge.Client;

namespace Concierge.Vmc.Output;

/// <summary>
/// Shows a starting VM's state and the time since the start request. On a terminal it redraws one
/// line; elsewhere (logs, CI) it writes a line per state change; with --json it stays silent.
/// </summary>
internal sealed class StartProgress(TextWriter error, string name, bool redraw, bool silent)
{
    private VmState? _shown;

    public void Show(VmState state, TimeSpan elapsed)
    {
        if (silent || (!redraw && state == _shown))
        {
            return;
        }
        _shown = state;
        var text = $"Starting VM '{name}': {Humanize.Word(state)} ({Humanize.Seconds(elapsed)})";
        // \r and "erase to end of line" so a shorter line never leaves old characters behind.
        error.Write(redraw ? $"\r\u001b[K{text}" : text + "\n");
        error.Flush();
    }

    public void Finish()
    {
        if (redraw && !silent && _shown is not null)
        {
            error.Write('\n');
        }
    }
}
