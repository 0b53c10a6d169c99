"""A Dataset and a collate function for spawn_dataloader.py (needs torch)."""

import dataclasses

import torch
from torch.utils.data import Dataset


class Squares(Dataset):
    """Item ``i`` is the tensor ``[i * i]``."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> torch.Tensor:
        return torch.tensor([i * i])


@dataclasses.dataclass
class Batch:
    values: torch.Tensor
    size: int


def collate(items: list) -> Batch:
    return Batch(torch.cat(items), len(items))
