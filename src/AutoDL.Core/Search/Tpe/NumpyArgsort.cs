namespace AutoDL.Core.Search.Tpe;

/// <summary>
/// NumPy's default <c>argsort</c> of doubles (introsort: median-of-three quicksort, insertion sort below 17 elements,
/// heapsort past the depth limit; NaN last), ported from <c>npysort/quicksort.cpp</c> of NumPy 1.24. It is not stable:
/// Optuna's Parzen estimator hands each kernel the larger gap to its sorted neighbours, so which of two equal centres
/// comes first decides which one gets which gap, and matching Optuna means ordering ties exactly as NumPy does.
/// </summary>
internal static class NumpyArgsort
{
    private const int SmallQuicksort = 15;
    private const int StackSize = 128;

    public static int[] Argsort(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Sort(values, order);
        return order;
    }

    private static bool Less(double a, double b) => a < b || (double.IsNaN(b) && !double.IsNaN(a));

    private static void Sort(ReadOnlySpan<double> v, int[] tosort)
    {
        var num = tosort.Length;
        if (num < 2)
        {
            return;
        }

        Span<int> stack = stackalloc int[StackSize];
        Span<int> depthStack = stackalloc int[StackSize / 2];
        var stackTop = 0;
        var depthTop = 0;
        var pl = 0;
        var pr = num - 1;
        var depth = MostSignificantBit(num) * 2;

        while (true)
        {
            if (depth < 0)
            {
                HeapSort(v, tosort, pl, pr - pl + 1);
            }
            else
            {
                while (pr - pl > SmallQuicksort)
                {
                    var pm = pl + ((pr - pl) >> 1);
                    if (Less(v[tosort[pm]], v[tosort[pl]]))
                    {
                        Swap(tosort, pm, pl);
                    }

                    if (Less(v[tosort[pr]], v[tosort[pm]]))
                    {
                        Swap(tosort, pr, pm);
                    }

                    if (Less(v[tosort[pm]], v[tosort[pl]]))
                    {
                        Swap(tosort, pm, pl);
                    }

                    var pivot = v[tosort[pm]];
                    var pi = pl;
                    var pj = pr - 1;
                    Swap(tosort, pm, pj);
                    while (true)
                    {
                        do
                        {
                            ++pi;
                        }
                        while (Less(v[tosort[pi]], pivot));

                        do
                        {
                            --pj;
                        }
                        while (Less(pivot, v[tosort[pj]]));

                        if (pi >= pj)
                        {
                            break;
                        }

                        Swap(tosort, pi, pj);
                    }

                    Swap(tosort, pi, pr - 1);

                    // Push the larger partition, go on with the smaller.
                    if (pi - pl < pr - pi)
                    {
                        stack[stackTop++] = pi + 1;
                        stack[stackTop++] = pr;
                        pr = pi - 1;
                    }
                    else
                    {
                        stack[stackTop++] = pl;
                        stack[stackTop++] = pi - 1;
                        pl = pi + 1;
                    }

                    depthStack[depthTop++] = --depth;
                }

                for (var pi = pl + 1; pi <= pr; ++pi)
                {
                    var vi = tosort[pi];
                    var value = v[vi];
                    var pj = pi;
                    var pk = pi - 1;
                    while (pj > pl && Less(value, v[tosort[pk]]))
                    {
                        tosort[pj--] = tosort[pk--];
                    }

                    tosort[pj] = vi;
                }
            }

            if (stackTop == 0)
            {
                return;
            }

            pr = stack[--stackTop];
            pl = stack[--stackTop];
            depth = depthStack[--depthTop];
        }
    }

    /// <summary>NumPy's <c>aheapsort_</c> over <paramref name="n"/> indices from <paramref name="start"/> (1-based heap).</summary>
    private static void HeapSort(ReadOnlySpan<double> v, int[] tosort, int start, int n)
    {
        // a[k] is tosort[start + k - 1].
        var offset = start - 1;
        int i, j, tmp;
        for (var l = n >> 1; l > 0; --l)
        {
            tmp = tosort[offset + l];
            for (i = l, j = l << 1; j <= n;)
            {
                if (j < n && Less(v[tosort[offset + j]], v[tosort[offset + j + 1]]))
                {
                    j += 1;
                }

                if (Less(v[tmp], v[tosort[offset + j]]))
                {
                    tosort[offset + i] = tosort[offset + j];
                    i = j;
                    j += j;
                }
                else
                {
                    break;
                }
            }

            tosort[offset + i] = tmp;
        }

        for (; n > 1;)
        {
            tmp = tosort[offset + n];
            tosort[offset + n] = tosort[offset + 1];
            n -= 1;
            for (i = 1, j = 2; j <= n;)
            {
                if (j < n && Less(v[tosort[offset + j]], v[tosort[offset + j + 1]]))
                {
                    j++;
                }

                if (Less(v[tmp], v[tosort[offset + j]]))
                {
                    tosort[offset + i] = tosort[offset + j];
                    i = j;
                    j += j;
                }
                else
                {
                    break;
                }
            }

            tosort[offset + i] = tmp;
        }
    }

    private static int MostSignificantBit(int n)
    {
        var depth = 0;
        while ((n >>= 1) != 0)
        {
            depth++;
        }

        return depth;
    }

    private static void Swap(int[] a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);
}
