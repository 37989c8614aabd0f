"""A matplotlib figure that keeps its axes between redraws: what makes an explorer's redraw fast."""
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox


class ReusedFigure(Figure):
    """A figure that keeps its axes between redraws: a draw function's ``fig.subplots(...)`` call returns the
    same axes, emptied, when it asks for the same grid again (a different grid starts afresh).

    ``clear()`` empties instead of rebuilding: it removes every artist the draw function added (lines, texts,
    patches, collections, images, legends, titles, axis labels, the suptitle) and resets the data limits and
    the colour cycle, but keeps the axes and their ticks, whose construction is most of the cost of a redraw.
    """

    _grid = None  # (the subplots() arguments, the axes they returned)

    def clear(self, keep_observers=False):
        if self._grid is None:
            return super().clear(keep_observers)
        for artist in [*self.texts, *self.legends]:
            artist.remove()
        self._suptitle = None
        for ax in self.axes:
            for artist in [*ax.lines, *ax.texts, *ax.patches, *ax.collections, *ax.images, *ax.artists]:
                artist.remove()
            if ax.legend_ is not None:
                ax.legend_.remove()
            ax.dataLim = Bbox.null()
            ax.ignore_existing_data_limits = True
            ax.set_autoscale_on(True)
            ax.set_prop_cycle(None)  # colours start again from the first
            for loc in ("center", "left", "right"):
                ax.set_title("", loc=loc)
            ax.set(xlabel="", ylabel="")

    def subplots(self, *args, **kwargs):
        key = repr((args, kwargs))
        if self._grid is None or self._grid[0] != key:
            super().clear()
            self._grid = (key, super().subplots(*args, **kwargs))
        return self._grid[1]
