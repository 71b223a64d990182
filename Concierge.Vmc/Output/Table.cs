using System.Text;

namespace Concierge.Vmc.Output;

/// <summary>
/// A plain text table for people: a header row, columns two spaces apart, each as wide as its
/// widest cell; numeric columns are right-aligned. No trailing spaces, so output diffs cleanly.
/// </summary>
internal sealed class Table
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <summary>Columns by header; a header ending in '>' is right-aligned (the '>' is not shown).</summary>
    public Table(params string[] headers)
    {
        _rightAligned = [.. headers.Select(h => h.EndsWith('>'))];
        _headers = [.. headers.Select(h => h.TrimEnd('>'))];
    }

    /// <summary>Adds a row; it must have one cell per column.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"a row needs {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }
        _rows.Add(cells);
    }

    /// <summary>The rendered table, one line per row, each ending in '\n'.</summary>
    public override string ToString()
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        var text = new StringBuilder();
        foreach (var row in _rows.Prepend(_headers))
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                var last = i == row.Length - 1;
                var cell = _rightAligned[i] ? row[i].PadLeft(widths[i]) : last ? row[i] : row[i].PadRight(widths[i]);
                line.Append(cell);
                if (!last)
                {
                    line.Append("  ");
                }
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}
