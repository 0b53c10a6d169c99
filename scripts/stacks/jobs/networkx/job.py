"""NetworkX: graph building, shortest paths, centrality, components, flows, DAGs,
a generator with a seed, and GraphML/edge-list files."""

import networkx as nx

g = nx.Graph()
g.add_weighted_edges_from([("a", "b", 4), ("a", "c", 2), ("b", "c", 1), ("b", "d", 5), ("c", "d", 8), ("d", "e", 3)])
print(nx.shortest_path(g, "a", "e", weight="weight"), nx.shortest_path_length(g, "a", "e", weight="weight"))
print({k: round(v, 6) for k, v in sorted(nx.betweenness_centrality(g).items())})
print({k: round(v, 6) for k, v in sorted(nx.pagerank(g).items())})
print(sorted(nx.minimum_spanning_tree(g).edges(data="weight")))
dg = nx.DiGraph([("shop", "pay"), ("login", "shop"), ("pay", "ship"), ("login", "profile")])
print(list(nx.topological_sort(dg)), nx.is_directed_acyclic_graph(dg))
flow = nx.DiGraph()
flow.add_edge("s", "x", capacity=3)
flow.add_edge("s", "y", capacity=2)
flow.add_edge("x", "t", capacity=2)
flow.add_edge("y", "t", capacity=3)
print(nx.maximum_flow_value(flow, "s", "t"))
r = nx.gnp_random_graph(30, 0.1, seed=42)
print(r.number_of_edges(), sorted(len(c) for c in nx.connected_components(r)))
print(nx.community.greedy_modularity_communities(nx.karate_club_graph())[0])
nx.write_graphml(g, "graph.graphml")
nx.write_edgelist(g, "graph.edges", data=["weight"])
print(sorted(nx.read_graphml("graph.graphml").nodes()))
print(nx.to_numpy_array(g, nodelist=sorted(g)).sum())
