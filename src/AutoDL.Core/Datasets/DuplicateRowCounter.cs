namespace AutoDL.Core.Datasets;

/// <summary>
/// Counts rows whose hash came before, remembering up to a cap of distinct hashes in an open-addressing table (8 bytes
/// each, at most 60% full). Past the cap a row is still checked against the hashes remembered, but a repeat of a row
/// that was not remembered goes unseen: the count becomes a lower bound.
/// </summary>
internal sealed class DuplicateRowCounter(int cap)
{
    private ulong[] _table = new ulong[1 << 12];
    private int _distinct;

    public long Duplicates { get; private set; }

    public bool IsLowerBound { get; private set; }

    public void Add(ulong hash)
    {
        // 0 marks an empty slot.
        hash = hash == 0 ? 1 : hash;
        var mask = _table.Length - 1;
        var i = (int)(hash & (ulong)mask);
        while (true)
        {
            var slot = _table[i];
            if (slot == hash)
            {
                Duplicates++;
                return;
            }

            if (slot == 0)
            {
                break;
            }

            i = (i + 1) & mask;
        }

        if (_distinct >= cap)
        {
            IsLowerBound = true;
            return;
        }

        _table[i] = hash;
        _distinct++;
        if (_distinct * 5L > _table.Length * 3L)
        {
            Resize();
        }
    }

    private void Resize()
    {
        var old = _table;
        _table = new ulong[old.Length * 2];
        var mask = _table.Length - 1;
        foreach (var hash in old)
        {
            if (hash == 0)
            {
                continue;
            }

            var i = (int)(hash & (ulong)mask);
            while (_table[i] != 0)
            {
                i = (i + 1) & mask;
            }

            _table[i] = hash;
        }
    }
}
