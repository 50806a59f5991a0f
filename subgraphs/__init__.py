"""The subgraphs of the commerce supergraph and the kernel they share."""
