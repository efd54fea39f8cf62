"""open_data"""
